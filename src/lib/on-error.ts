// The one error path: expected failures become JSON 4xx bodies; anything else is logged and becomes a bare 500.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./app-env";
import { ApiError, errorBody, refusalOf } from "./errors";

export function onError(err: Error, c: Context<AppEnv>): Response {
  // A spent rate limit met at a storage call, possibly wrapped by the storage layer (src/lib/admission.ts).
  const refused = refusalOf(err);
  if (refused) return c.json(errorBody(refused.code, refused.message), refused.status, refused.headers);
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.issues), err.status);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return c.json(errorBody(status === 413 ? "payload_too_large" : "http_error", err.message || "request failed"), status);
  }
  // Unknown failure: keep the details in the logs, never in the response.
  console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), message: err.message, stack: err.stack }));
  return c.json(errorBody("internal_error", "internal error"), 500);
}
