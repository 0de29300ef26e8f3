// The one validation wrapper: parse with zod, or throw a 400 that names every field at fault.
import type * as z from "zod";
import { validateRules, type Rules } from "../recommend/filters";
import { ApiError, formatPath } from "./errors";

export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((i) =>
    // An unknown key is reported under its own name, so "?limt=5" answers with path "limt".
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: "is not a known parameter" }))
      : [{ path: formatPath(i.path), message: i.message }],
  );
}

/** Validates `input` (an already-parsed body or query object) or throws ApiError 400 `invalid_request`. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = issuesOf(result.error);
    throw new ApiError(400, "invalid_request", `invalid ${what}: ${issues[0]?.path} ${issues[0]?.message}`, issues);
  }
  return result.data;
}

/** Parses JSON text, turning a syntax error into a 400 instead of a 500. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", "body is not valid JSON");
  }
}

/**
 * The 400 for business rules that contradict each other, from the one rule validator (src/recommend/filters.ts):
 * names the parameter at `prefix + field` (a query parameter, `slots.<slot>.`, `variants[i].change.rules.`), with
 * `note` saying where the rules came from. Used by requests, the site config and experiments alike.
 */
export function assertRulesConsistent(rules: Rules, opts: { prefix?: string; note?: string } = {}): void {
  const conflict = validateRules(rules);
  if (!conflict) return;
  const path = `${opts.prefix ?? ""}${conflict.field}`;
  const message = opts.note ? `${conflict.message} (${opts.note})` : conflict.message;
  throw new ApiError(400, "invalid_request", `invalid rules: ${path}: ${message}`, [{ path, message }]);
}
