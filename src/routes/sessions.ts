// GET /v1/sessions/:id: the live path of one session, straight from its Durable Object.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import { idString } from "../schemas/common";
import { sessionStub } from "../session/session-client";

export const sessions = new Hono<AppEnv>();

sessions.get("/:id", requireSite, async (c) => {
  const sessionId = parseOrThrow(idString, c.req.param("id"), "session id");
  const snapshot = await sessionStub(c.env, c.get("site").id, sessionId).snapshot();
  if (!snapshot) throw new ApiError(404, "session_not_found", "no live session with this id (never seen, or expired)");
  return c.json(snapshot);
});
