// GET /v1/recommendations: a slot's list for a visitor, through the one pipeline (src/serving/recommend.ts): the
// live session path, the visitor's history and segment, the item on screen, with the slot's business rules (site
// config, overridden by request parameters); personalized lists are cached per visitor and slot in KV.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../lib/app-env";
import { assertUserAccess, requireSite } from "../lib/auth";
import { refusalOf } from "../lib/errors";
import { assertRulesConsistent, parseOrThrow } from "../lib/validate";
import { recommendationsQuerySchema, ruleParams, type RecommendationsQuery } from "../schemas/recommendations";
import type { Rules } from "../schemas/site-config";
import type { ServeShape } from "../recommend/experiments";
import { shapeFields, shapedManifest, shapeFor, slotExperiment } from "../serving/experiment-shape";
import { listResponse } from "../serving/list-json";
import { modelFor, readVisitorContext, recommend, servedListId, visitorContextCached } from "../serving/recommend";
import { targetingSegment } from "../serving/visitor-segment";
import { listKey, readCachedList, sessionState, writeCachedList } from "../serving/rec-cache";
import { servingPath } from "../session/session-client";
import type { ServingPath } from "../session/types";
import { cachedConsent } from "../storage/consent-repo";
import { readManifest } from "../storage/model-store";

export const recommendations = new Hono<AppEnv>();

const RULE_KEYS = Object.keys(ruleParams) as (keyof typeof ruleParams)[];

recommendations.get("/", requireSite, async (c) => {
  const raw = c.req.query();
  const q = parseOrThrow(recommendationsQuerySchema, raw, "query");
  return listResponse(c, await slotList(c, q, raw.k !== undefined));
});

/**
 * A slot's list for the request's visitor: the answer of GET /v1/recommendations, and of POST
 * /v1/events?recommend=<slot> (the list refreshed from the session the events just reached). `kAsked`: the request
 * named `k` (otherwise the slot's default k applies).
 */
export async function slotList(c: Context<AppEnv>, q: RecommendationsQuery, kAsked: boolean, knownPath: ServingPath | null = null) {
  const site = c.get("site");
  const { k: slotK, kind, segments: bySegment, ...slotRules } = site.config.slots?.[q.slot] ?? {};
  const asked: Rules = {};
  for (const key of RULE_KEYS) if (q[key] !== undefined) Object.assign(asked, { [key]: q[key] });
  let rules: Rules = { ...slotRules, ...asked };
  assertRulesConsistent(rules, { note: `in this request or slot ${q.slot}` });
  let k = kAsked ? q.k : (slotK ?? q.k);
  // A list built from a user's history is that user's data: the browser must prove it is signed in as them.
  if (q.userId !== undefined) await assertUserAccess(c, q.userId, q.userHash);

  // A visitor who declined personalization gets the same lists as an anonymous newcomer (trending, item on screen).
  // Consent, manifest and the session's path are independent reads: one round trip for all three. The session
  // object knows the consent too (told by ingest and POST /v1/consent), so a request naming only the session gets
  // no personal list for a visitor who declined; a declined visitor's path is read but never used. A declined
  // visitor is still assigned a variant (a traffic split, not personalization).
  // A running experiment on this slot shapes the list (src/recommend/experiments.ts): keyed by the verified userId
  // (sticky across devices after identify), else the anonymous id; no visitor key gets the control variant. The
  // running experiments are isolate-cached, and read beside the rest when cold.
  const [consent, read, session, exp] = await Promise.all([
    q.anonymousId ? cachedConsent(c.env.DB, site.id, q.anonymousId) : Promise.resolve(null),
    readManifest(c.env.MODELS, site.id),
    // The path the client tracked, when it sent one, stands for the session's: no read of the session object.
    knownPath ?? servingPath(c.env, site.id, q.sessionId, q.path),
    slotExperiment(c.env.DB, site.id, q.slot),
  ]);
  const served = consent?.personalization !== false ? session : null;
  const personalized = consent?.personalization !== false && served?.personalized !== false;
  const visitor = personalized && (q.anonymousId !== undefined || q.userId !== undefined) ? { anonymousId: q.anonymousId, userId: q.userId } : null;
  const sessionPath = served?.path ?? [];
  const path = q.itemId !== undefined && sessionPath.at(-1) !== q.itemId ? [...sessionPath, q.itemId] : [...sessionPath];
  const current = path.at(-1);
  c.header("cache-control", visitor || q.sessionId || q.path ? "private, no-store" : "public, max-age=60");

  // A pending canary serves its share of visitors, keyed like experiments (verified userId, else anonymous id).
  const model = modelFor(read, q.userId ?? q.anonymousId);
  // Targeting by segment (issue 13 part 7): only a slot with per-segment changes, or a one-segment experiment,
  // pays for the visitor's segment here. Slot < segment change < the request's own parameters.
  // The visitor's context is then read here, once: the pipeline reuses it.
  const pre = visitor && model && (bySegment !== undefined || exp?.config.segment !== undefined) ? await readVisitorContext(c.env, site.id, model, visitor) : undefined;
  const segment = pre ? targetingSegment(pre.summary, pre.segments, Date.now()) : null;
  const override = segment !== null ? bySegment?.[String(segment)] : undefined;
  if (override) {
    rules = { ...slotRules, ...override.rules, ...asked };
    assertRulesConsistent(rules, { note: `in this request or slot ${q.slot} for segment ${segment}` });
    if (!kAsked && override.k !== undefined) k = override.k;
  }
  const base: ServeShape = {
    weights: override?.weights ? { ...site.config.weights, ...override.weights } : site.config.weights,
    rules,
    ...(override?.sources ? { sources: override.sources } : {}),
  };
  const shape = shapeFor(exp, segment, q.userId ?? q.anonymousId ?? null, base);
  // A running experiment's variant that pins a model version overrides the canary (the experiment is the stronger
  // contract).
  const manifest = shapedManifest(model, shape);
  // Personalized lists are cached per (site, visitor, slot, rules) and valid only for the session state they were
  // computed from: any new step (a click, a purchase, a new session) misses the cache without a KV write per event.
  const digest = { rules: shape.rules, weights: shape.weights ?? null, sources: shape.sources ?? null, model: shape.modelVersion ?? null, variant: shape.variant, k, kind: kind ?? null, itemId: q.itemId ?? null };
  const key = visitor && manifest ? listKey(site.id, visitor, q.slot, digest) : null;
  const state = sessionState(q.sessionId, path, manifest?.current.version ?? null);
  // KV holds lists to save the visitor's D1 read; with the visitor's context in this isolate, it is skipped.
  const useKv = !(visitor && visitorContextCached(site.id, visitor));
  if (key) {
    const hit = await readCachedList(c.env.REC_CACHE, key, state, useKv);
    // An entry written before lists carried `personalized` reads as not personal. A hit is a new exposure: it gets
    // its own id (served now), so lists served counts it and its clicks are not merged with the first serve's.
    if (hit)
      return {
        ...hit,
        recommendationId: servedListId(q.slot, hit.modelVersion, Date.now(), shape.variant),
        slot: q.slot,
        personalized: personalized && hit.personalized === true,
        cached: true,
      };
  }
  const recs = await recommend(c.env, site.id, manifest, {
    path,
    sessionPath,
    current,
    slot: q.slot,
    visitor,
    ...(pre ? { visitorContext: { history: pre.history, summary: pre.summary } } : {}),
    ...shapeFields(shape, site.config),
    k,
    kind,
    now: Date.now(),
  });
  // A cache write refused by a spent rate limit is skipped (the list was served); any other failure is logged.
  if (key) c.executionCtx.waitUntil(writeCachedList(c.env.REC_CACHE, key, state, recs, Date.now(), useKv).catch((e: unknown) => void (refusalOf(e) || console.error(e))));
  // `personalized`: consent allows it and the visitor's own evidence shaped the list (not merely an id named).
  return { ...recs, slot: q.slot, personalized: personalized && recs.personalized, cached: false };
}
