// GET /v1/sessions/:id: the live path of one session, straight from its Durable Object.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import { idString } from "../schemas/common";
import { nextQuerySchema } from "../schemas/recommendations";
import { experimentShape, shapeFields, shapedManifest } from "../serving/experiment-shape";
import { listResponse } from "../serving/list-json";
import { modelFor, recommend } from "../serving/recommend";
import { servingPath, sessionStub } from "../session/session-client";
import { readManifest } from "../storage/model-store";

export const sessions = new Hono<AppEnv>();

sessions.get("/:id", requireSite, async (c) => {
  const sessionId = parseOrThrow(idString, c.req.param("id"), "session id");
  const snapshot = await sessionStub(c.env, c.get("site").id, sessionId).snapshot();
  if (!snapshot) throw new ApiError(404, "session_not_found", "no live session with this id (never seen, or expired)");
  return c.json(snapshot);
});

/**
 * The next items for this session right now: reflects every event accepted before this call, or, when the request
 * carries `path` (the snippet does), that path, with no read of the session object.
 */
sessions.get("/:id/next", requireSite, async (c) => {
  const sessionId = parseOrThrow(idString, c.req.param("id"), "session id");
  const q = parseOrThrow(nextQuerySchema, c.req.query(), "query");
  const site = c.get("site");
  // A visitor who declined personalization gets the non-personal list (trending), from an empty path.
  // A running experiment on slot "next" shapes the list, keyed by the request's anonymousId (none: the control).
  const [served, read, shape] = await Promise.all([
    // The path the client tracked, when it sent one: no read of the session object (the snippet's reads).
    servingPath(c.env, site.id, sessionId, q.path),
    readManifest(c.env.MODELS, site.id),
    experimentShape(c.env.DB, site.id, "next", q.anonymousId ?? null, {
      weights: site.config.weights,
      rules: q.includeViewed !== undefined ? { includeViewed: q.includeViewed } : {},
    }),
  ]);
  // With a session id there is always an answer (an unknown session's path is empty).
  const { path, personalized } = served ?? { path: [], personalized: true };
  // The session's own path is the only evidence: no visitor history, the same pipeline as every other list.
  const recs = await recommend(c.env, site.id, shapedManifest(modelFor(read, null), shape), {
    path,
    sessionPath: path,
    current: path.at(-1),
    slot: "next",
    visitor: null,
    ...shapeFields(shape, site.config),
    k: q.k,
    now: Date.now(),
  });
  c.header("cache-control", "private, no-store");
  // `personalized`: consent allows it and the session's path produced at least one item (not only back-fill).
  return listResponse(c, { ...recs, sessionId, pathLength: path.length, personalized: personalized && recs.personalized });
});
