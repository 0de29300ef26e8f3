// Tunables from wrangler.toml [vars], parsed once per isolate with zod (vars arrive as strings).
import * as z from "zod";
import { DEFAULT_SESSION_IDLE_MINUTES } from "./limits";

const tunablesSchema = z.object({
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(DEFAULT_SESSION_IDLE_MINUTES),
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // D1's raw window of archived events (issue 11 part 2); 30 = the oldest event ingest accepts (MAX_EVENT_AGE_MS).
  D1_RAW_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  SITE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
});
export type Tunables = z.infer<typeof tunablesSchema>;

let cached: { source: object; value: Tunables } | undefined;

/** Parses the vars once per isolate; a bad value fails loudly with the variable's name instead of misbehaving. */
export function tunables(env: Partial<Record<keyof Tunables, unknown>>): Tunables {
  if (cached?.source === env) return cached.value;
  const parsed = tunablesSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  cached = { source: env, value: parsed.data };
  return parsed.data;
}
