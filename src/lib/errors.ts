// Expected failures and the JSON error body. Free of Worker types so pure modules (and their Node tests) can throw them.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorIssue = { path: string; message: string };
export type ErrorBody = { error: { code: string; message: string; issues?: ErrorIssue[] } };

/** An expected failure with a stable machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, issues?: ErrorIssue[]): ErrorBody {
  return { error: issues ? { code, message, issues } : { code, message } };
}

/** Formats a zod issue path (["events", 3, "type"]) as "events[3].type". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(body)";
}

/**
 * A refusal that belongs to one request (its rate limit was spent), not to what it was loading: another request
 * that joined the same isolate-cache load must load for itself instead of sharing the refusal (src/lib/isolate-cache.ts).
 */
export class RequestRefused extends ApiError {
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super(status, code, message);
  }
}

/** The RequestRefused behind an error, if any: drizzle wraps what a query throws in its own error, as `cause`. */
export function refusalOf(err: unknown): RequestRefused | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof RequestRefused) return e;
  return undefined;
}
