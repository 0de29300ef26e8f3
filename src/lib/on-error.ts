// The one error path: expected failures become JSON 4xx bodies; anything else is logged and becomes a bare 500.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./app-env";
import { ApiError, errorBody } from "./errors";

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.issues), err.status);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return c.json(errorBody(status === 413 ? "payload_too_large" : "http_error", err.message || "request failed"), status);
  }
  // Unknown failure: keep the details in the logs, never in the response.
  console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), message: err.message, stack: err.stack }));
  return c.json(errorBody("internal_error", "internal error"), 500);
}
