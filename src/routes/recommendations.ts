// GET /v1/recommendations: the visitor's next items from their live session path (scored against the served
// artifact), back-filled with trending, with a recommendation id for click attribution.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { parseOrThrow } from "../lib/validate";
import { recommendationsQuerySchema } from "../schemas/recommendations";
import { recommendForPath } from "../serving/next-items";
import { sessionStub } from "../session/session-client";
import { cachedConsent } from "../storage/consent-repo";

export const recommendations = new Hono<AppEnv>();

recommendations.get("/", requireSite, async (c) => {
  const q = parseOrThrow(recommendationsQuerySchema, c.req.query(), "query");
  const site = c.get("site");
  // A visitor who declined personalization gets the same lists as an anonymous newcomer (trending, item on screen).
  const personalized = q.anonymousId ? (await cachedConsent(c.env.DB, site.id, q.anonymousId))?.personalization !== false : true;
  const path = q.sessionId && personalized ? await sessionStub(c.env, site.id, q.sessionId).itemPath() : [];
  if (q.itemId !== undefined && path.at(-1) !== q.itemId) path.push(q.itemId);
  // The item on screen is never recommended to itself.
  const current = path.at(-1);
  const recs = await recommendForPath(c.env, site.id, path, { k: q.k, exclude: new Set(current ? [current] : []) });
  c.header("cache-control", "private, no-store");
  return c.json({ ...recs, slot: q.slot, personalized, cached: false });
});
