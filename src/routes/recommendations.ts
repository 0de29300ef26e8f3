// GET /v1/recommendations: the visitor's next items from their live session path (scored against the served
// artifact), back-filled with trending, with a recommendation id for click attribution.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { parseOrThrow } from "../lib/validate";
import { recommendationsQuerySchema } from "../schemas/recommendations";
import { recommendForPath } from "../serving/next-items";
import { sessionStub } from "../session/session-client";

export const recommendations = new Hono<AppEnv>();

recommendations.get("/", requireSite, async (c) => {
  const q = parseOrThrow(recommendationsQuerySchema, c.req.query(), "query");
  const site = c.get("site");
  const path = q.sessionId ? await sessionStub(c.env, site.id, q.sessionId).itemPath() : [];
  if (q.itemId !== undefined && path.at(-1) !== q.itemId) path.push(q.itemId);
  // The item on screen is never recommended to itself.
  const current = path.at(-1);
  const recs = await recommendForPath(c.env, site.id, path, { k: q.k, exclude: new Set(current ? [current] : []) });
  c.header("cache-control", "private, no-store");
  return c.json({ ...recs, slot: q.slot, cached: false });
});
