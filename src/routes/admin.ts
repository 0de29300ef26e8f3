// /admin: operator endpoints behind the admin bearer token: sites and keys, site config, models, segments, sources,
// metrics, and experiments (./admin-experiments.ts).
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireAdmin } from "../lib/auth";
import { adminExperiments } from "./admin-experiments";
import { adminModels } from "./admin-models";
import { adminSegments } from "./admin-segments";
import { ApiError } from "../lib/errors";
import { clearSiteCache } from "../lib/site-cache";
import { assertRulesConsistent, parseJsonText, parseOrThrow } from "../lib/validate";
import { readCappedText } from "../lib/body";
import { keyRotateSchema, siteIdString, siteUpsertSchema } from "../schemas/sites";
import { assertKeysFree, fieldOf, generateKey, provisionKeys } from "../lib/site-keys";
import { listKeys, rotateKey, type KeyListing } from "../storage/site-keys-repo";
import { siteConfigSchema } from "../schemas/site-config";
import { SOURCES } from "../recommend/sources";
import { sites as sitesTable } from "../storage/schema";
import { eq } from "drizzle-orm";
import { database } from "../storage/db";
import { findSite, listSites, upsertSite } from "../storage/sites-repo";
import type { SiteRow } from "../storage/schema";
import { metricsQuery, optionalSiteQuery, retrainQuery, siteQuery } from "../schemas/admin";
import { readMetrics } from "../storage/rollups-repo";
import { runRetrain, trainSite } from "../models/train";
import { readManifest, readPersonalData, writeManifest } from "../storage/model-store";
import type { PersonalData } from "../models/train-personal";

export const admin = new Hono<AppEnv>();
admin.use("*", requireAdmin);
admin.route("/experiments", adminExperiments);
admin.route("/models", adminModels);
admin.route("/segments", adminSegments);

const ADMIN_BODY_BYTES = 64 * 1024;

/** What admins see of a site: never a key or a hash, only each credential's id, kind, hint and expiry. */
function siteView(s: SiteRow, keys: KeyListing[]) {
  return {
    id: s.id,
    name: s.name,
    allowedOrigins: s.allowedOrigins,
    identityVerification: s.identityVerification,
    config: s.config,
    keys,
    createdAt: s.createdAt.getTime(),
    updatedAt: s.updatedAt.getTime(),
  };
}

admin.get("/sites", async (c) => {
  const now = Date.now();
  const rows = await listSites(database(c.env.DB));
  const keys = await Promise.all(rows.map((s) => listKeys(c.env.DB, s.id, now)));
  return c.json({ sites: rows.map((s, i) => siteView(s, keys[i]!)) });
});

admin.get("/sites/:id", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const site = await findSite(database(c.env.DB), id);
  if (!site) throw new ApiError(404, "site_not_found", `no site ${id}`);
  return c.json(siteView(site, await listKeys(c.env.DB, id, Date.now())));
});

/**
 * Idempotent create-or-update. A new site gets a write key, a server key and an identity secret, generated unless
 * given, shown in `keys` of this answer only (they are stored hashed, or for the identity secret never listed).
 */
admin.put("/sites/:id", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const body = parseOrThrow(siteUpsertSchema, parseJsonText(await readCappedText(c, ADMIN_BODY_BYTES)), "site");
  const db = database(c.env.DB);
  const now = Date.now();
  const requested = { writeKey: body.writeKey, serverKey: body.serverKey, identitySecret: body.identitySecret };
  await assertKeysFree(c.env.DB, id, requested);
  const existing = await findSite(db, id);
  const site = await upsertSite(db, { id, name: body.name, allowedOrigins: body.allowedOrigins, identityVerification: body.identityVerification }, new Date(now));
  const shown = await provisionKeys(c.env.DB, id, requested, now);
  clearSiteCache();
  const view = siteView(site, await listKeys(c.env.DB, id, now));
  return c.json(Object.keys(shown).length > 0 ? { ...view, newKeys: shown } : view, existing ? 200 : 201);
});

/** Replaces one kind of credential; the old ones keep working for `overlapSeconds` (0 revokes them at once). */
admin.post("/sites/:id/keys/rotate", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const body = parseOrThrow(keyRotateSchema, parseJsonText(await readCappedText(c, ADMIN_BODY_BYTES)), "rotation");
  if (!(await findSite(database(c.env.DB), id))) throw new ApiError(404, "site_not_found", `no site ${id}`);
  const now = Date.now();
  const key = generateKey(body.kind);
  const listing = await rotateKey(c.env.DB, id, body.kind, key, body.overlapSeconds * 1000, now);
  clearSiteCache();
  return c.json({ site: id, kind: body.kind, [fieldOf(body.kind)]: key, key: listing, previousValidUntil: now + body.overlapSeconds * 1000 }, 201);
});

async function existingSite(c: { env: Env }, id: string): Promise<SiteRow> {
  const site = await findSite(database(c.env.DB), id);
  if (!site) throw new ApiError(404, "site_not_found", `no site ${id}`);
  return site;
}

/**
 * The candidate-source registry (src/recommend/sources/): each source's name, default blend weight, what it reads
 * from the artifact and how it is trained, plus a site's own weights when `site` is given.
 */
admin.get("/sources", async (c) => {
  const q = parseOrThrow(optionalSiteQuery, c.req.query(), "query");
  const weights = q.site !== undefined ? ((await existingSite(c, q.site)).config.weights ?? {}) : {};
  return c.json({
    sources: SOURCES.map((s) => ({
      name: s.name,
      defaultWeight: s.defaultWeight,
      weight: weights[s.name] ?? s.defaultWeight,
      normalise: s.normalise,
      evidence: s.evidence,
      families: s.families.map((f) => ({ artifact: f.artifact, family: f.family })),
      trains: s.trains,
    })),
  });
});

/** Trains now (one site, or all); `scratch=true` recounts the raw log instead of resuming from the snapshot. */
admin.post("/retrain", async (c) => {
  const q = parseOrThrow(retrainQuery, c.req.query(), "query");
  if (q.site === undefined) return c.json({ results: await runRetrain(c.env, Date.now()) });
  await existingSite(c, q.site);
  const result = await trainSite(c.env, q.site, { fromScratch: q.scratch === "true" });
  if ("skipped" in result) throw new ApiError(409, "retrain_running", "a retrain of this site is already running");
  return c.json(result, 201);
});

/** Replaces the site's slot defaults and blend weights (validated as a whole; nothing is written on error). */
admin.put("/sites/:id/config", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const config = parseOrThrow(siteConfigSchema, parseJsonText(await readCappedText(c, ADMIN_BODY_BYTES)), "config");
  // The same validator as request parameters: a saved slot that every request would refuse is refused here.
  for (const [slot, { segments, ...rules }] of Object.entries(config.slots)) {
    assertRulesConsistent(rules, { prefix: `slots.${slot}.` });
    // A segment's rules apply over the slot's, so the merge is what must be consistent.
    for (const [id, o] of Object.entries(segments ?? {})) {
      if (o.rules) assertRulesConsistent({ ...rules, ...o.rules }, { prefix: `slots.${slot}.segments.${id}.rules.`, note: `over slot ${slot}` });
    }
  }
  const db = database(c.env.DB);
  await existingSite(c, id);
  const row = await db.update(sitesTable).set({ config, updatedAt: new Date() }).where(eq(sitesTable.id, id)).returning().get();
  clearSiteCache();
  return c.json(siteView(row, await listKeys(c.env.DB, id, Date.now())));
});

/**
 * Recommendation metrics from the rollups (one query, never the event log): per (day, slot, variant, model version)
 * the counters and the derived CTR (clicks / impressions) and conversion (purchases / clicks).
 */
admin.get("/metrics", async (c) => {
  const q = parseOrThrow(metricsQuery, c.req.query(), "query");
  // The site check runs beside the read (404 for an unknown site), not before it.
  const [, rows] = await Promise.all([existingSite(c, q.site), readMetrics(c.env.DB, q.site, q.from, q.to, q.slot)]);
  return c.json({ site: q.site, from: q.from, to: q.to, rows });
});
