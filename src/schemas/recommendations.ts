// Query contracts of the read endpoints. Strict: an unknown parameter is a 400 naming it, never silently ignored.
import * as z from "zod";
import { CLIENT_PATH_MAX_ITEMS, DEFAULT_K, MAX_K, MAX_LABEL_LENGTH, MAX_PINS, MAX_RULE_LIST } from "../config/limits";
import { idString, userHashString, wellFormedString } from "./common";

export const kParam = z.coerce
  .number({ error: "must be a number" })
  .int("must be an integer")
  .min(1, "must be at least 1")
  .max(MAX_K, `must be at most ${MAX_K}`)
  .default(DEFAULT_K);

/** A slot's name: the site config's key and the rollups' `slot`. */
export const slotName = z.string().regex(/^[a-z0-9_-]{1,64}$/, "must be 1-64 lowercase letters, digits, - or _");

/** `key` may ride in the query string (beacons, preflights); it is checked by requireSite, not here. */
const keyParam = z.string().optional();

const flag = z.enum(["true", "false", "1", "0"], { error: "must be true or false" }).transform((v) => v === "true" || v === "1");

/**
 * `path`: the session's path as the client tracked it ("a,b,c", oldest first, repeats kept). The list is then
 * computed from it instead of the session's Durable Object (no read of the live session): what the snippet sends.
 * It shapes only the caller's own list, so trusting it gives nothing away.
 */
const pathParam = z
  .string()
  .transform((v) => v.split(",").map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(idString).min(1, "must name at least one item").max(CLIENT_PATH_MAX_ITEMS, `must list at most ${CLIENT_PATH_MAX_ITEMS} items`));

/** `includeViewed`: keep items this session already saw (a "next" list leaves them out by default). */
/** `anonymousId` on /next and /similar only assigns the visitor's experiment variant (no history is read). */
export const nextQuerySchema = z.strictObject({ key: keyParam, k: kParam, includeViewed: flag.optional(), anonymousId: idString.optional(), path: pathParam.optional() });
export const similarQuerySchema = z.strictObject({ key: keyParam, k: kParam, anonymousId: idString.optional() });

/** A comma-separated list in a query string ("a,b,c"), each entry validated, duplicates removed. */
function csv(entry: z.ZodString, max: number) {
  return z
    .string()
    .transform((v) => [...new Set(v.split(",").map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(entry).max(max, `must list at most ${max} entries`));
}

const category = wellFormedString().min(1).max(MAX_LABEL_LENGTH);

/** Business rules a request may set; a site's per-slot defaults fill what the request leaves out. */
export const ruleParams = {
  /** Items never to return. */
  exclude: csv(idString, MAX_RULE_LIST).optional(),
  /** Only items in at least one of these categories. */
  includeCategories: csv(category, MAX_RULE_LIST).optional(),
  /** No item in any of these categories. */
  excludeCategories: csv(category, MAX_RULE_LIST).optional(),
  /** Drop items the visitor already bought (default true). */
  excludePurchased: flag.optional(),
  /** Drop items the visitor already viewed, in this session or before (default false). */
  excludeViewed: flag.optional(),
  /** Keep items this session already saw (default false: a list with a session leaves them out, which stops ping-pong). */
  includeViewed: flag.optional(),
  /** Items that get their score raised (they still compete). */
  boost: csv(idString, MAX_RULE_LIST).optional(),
  /** Items placed first, in this order, when eligible. */
  pin: csv(idString, MAX_PINS).optional(),
  /** At most this many items of one category. */
  maxPerCategory: z.coerce.number({ error: "must be a number" }).int("must be an integer").min(1).max(MAX_K).optional(),
  /** Maximal marginal relevance: 1 = pure relevance, 0 = pure diversity. */
  diversity: z.coerce.number({ error: "must be a number" }).min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").optional(),
};

export const recommendationsQuerySchema = z.strictObject({
  key: keyParam,
  k: kParam,
  sessionId: idString.optional(),
  /** The session's path as the client tracked it: used instead of reading the session (see pathParam). */
  path: pathParam.optional(),
  anonymousId: idString.optional(),
  userId: idString.optional(),
  /** The user's identity proof: needed with `userId` and the public key (see README "Keys and identity"). */
  userHash: userHashString.optional(),
  /** The item on the page (product slot): scored as the newest step if the session does not have it yet. */
  itemId: idString.optional(),
  slot: slotName.default("default"),
  ...ruleParams,
});

/**
 * POST /v1/events' query: the key, and `recommend` (a slot) to get that slot's list, refreshed from the session the
 * events just reached, in the same answer (with `k` and the item on screen, as GET /v1/recommendations takes them).
 */
export const eventsQuerySchema = z.strictObject({
  key: keyParam,
  recommend: slotName.optional(),
  k: z.string().optional(),
  itemId: idString.optional(),
});
export type RecommendationsQuery = z.output<typeof recommendationsQuerySchema>;

/** GET /v1/users/:id: `userHash` makes `:id` a user id that a browser may read (it proves the user is signed in). */
export const profileQuerySchema = z.strictObject({ key: keyParam, userHash: userHashString.optional() });
