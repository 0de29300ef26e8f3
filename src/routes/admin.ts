// /admin: operator endpoints behind the admin bearer token. Sites and keys here; models and segments come later.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireAdmin } from "../lib/auth";
import { randomToken } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { clearSiteCache } from "../lib/site-cache";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { readCappedText } from "../lib/body";
import { siteIdString, siteUpsertSchema } from "../schemas/sites";
import { siteConfigSchema } from "../schemas/site-config";
import { sites as sitesTable } from "../storage/schema";
import { eq } from "drizzle-orm";
import { database } from "../storage/db";
import { findSite, findSiteByKey, listSites, upsertSite } from "../storage/sites-repo";
import type { SiteRow } from "../storage/schema";
import { z } from "zod";
import { rolledBack } from "../models/manifest";
import { runRetrain, trainSite } from "../models/train";
import { readManifest, readPersonalData, writeManifest } from "../storage/model-store";
import type { PersonalData } from "../models/train-personal";

export const admin = new Hono<AppEnv>();
admin.use("*", requireAdmin);

const ADMIN_BODY_BYTES = 64 * 1024;

function siteView(s: SiteRow) {
  return {
    id: s.id,
    name: s.name,
    writeKey: s.writeKey,
    allowedOrigins: s.allowedOrigins,
    config: s.config,
    createdAt: s.createdAt.getTime(),
    updatedAt: s.updatedAt.getTime(),
  };
}

admin.get("/sites", async (c) => c.json({ sites: (await listSites(database(c.env.DB))).map(siteView) }));

admin.get("/sites/:id", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const site = await findSite(database(c.env.DB), id);
  if (!site) throw new ApiError(404, "site_not_found", `no site ${id}`);
  return c.json(siteView(site));
});

/** Idempotent create-or-update; a missing writeKey keeps the existing key, or generates one for a new site. */
admin.put("/sites/:id", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const body = parseOrThrow(siteUpsertSchema, parseJsonText(await readCappedText(c, ADMIN_BODY_BYTES)), "site");
  const db = database(c.env.DB);
  const existing = await findSite(db, id);
  const writeKey = body.writeKey ?? existing?.writeKey ?? `pk_${randomToken(18)}`;
  const holder = await findSiteByKey(db, writeKey);
  if (holder && holder.id !== id) {
    throw new ApiError(409, "write_key_taken", "another site already uses this writeKey", [{ path: "writeKey", message: "already in use" }]);
  }
  const site = await upsertSite(db, { id, name: body.name, writeKey, allowedOrigins: body.allowedOrigins }, new Date());
  clearSiteCache();
  return c.json(siteView(site), existing ? 200 : 201);
});


const siteQuery = z.strictObject({ site: siteIdString });
const retrainQuery = z.strictObject({ site: siteIdString.optional(), scratch: z.enum(["true", "false"]).optional() });

async function existingSite(c: { env: Env }, id: string): Promise<SiteRow> {
  const site = await findSite(database(c.env.DB), id);
  if (!site) throw new ApiError(404, "site_not_found", `no site ${id}`);
  return site;
}

/** The served model version, the kept versions (rollback targets) and their training metrics. */
admin.get("/models", async (c) => {
  const { site } = parseOrThrow(siteQuery, c.req.query(), "query");
  await existingSite(c, site);
  const manifest = await readManifest(c.env.MODELS, site, { fresh: true });
  return c.json({ site, current: manifest?.current ?? null, versions: manifest?.versions ?? [] });
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

/** Serves the version before the current one again (its artifact is still in KV). */
admin.post("/models/rollback", async (c) => {
  const { site } = parseOrThrow(siteQuery, c.req.query(), "query");
  await existingSite(c, site);
  const manifest = await readManifest(c.env.MODELS, site, { fresh: true });
  if (!manifest) throw new ApiError(404, "no_model", "this site has no trained model");
  const next = rolledBack(manifest);
  if (!next) throw new ApiError(409, "no_previous_version", "there is no older kept version to roll back to");
  await writeManifest(c.env.MODELS, site, next);
  return c.json({ site, current: next.current, versions: next.versions });
});

/** Replaces the site's slot defaults and blend weights (validated as a whole; nothing is written on error). */
admin.put("/sites/:id/config", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const config = parseOrThrow(siteConfigSchema, parseJsonText(await readCappedText(c, ADMIN_BODY_BYTES)), "config");
  for (const [slot, rules] of Object.entries(config.slots)) {
    const clash = rules.includeCategories?.find((cat) => rules.excludeCategories?.includes(cat));
    if (clash !== undefined) {
      throw new ApiError(400, "invalid_request", `slot ${slot}: category ${clash} is both included and excluded`, [
        { path: `slots.${slot}.excludeCategories`, message: `contradicts includeCategories (${clash})` },
      ]);
    }
  }
  const db = database(c.env.DB);
  await existingSite(c, id);
  const row = await db.update(sitesTable).set({ config, updatedAt: new Date() }).where(eq(sitesTable.id, id)).returning().get();
  clearSiteCache();
  return c.json(siteView(row));
});

/** Visitor segments of the served model: size, defining features in words, quality scores, favourite items. */
admin.get("/segments", async (c) => {
  const { site } = parseOrThrow(siteQuery, c.req.query(), "query");
  await existingSite(c, site);
  const manifest = await readManifest(c.env.MODELS, site, { fresh: true });
  const data = manifest ? await readPersonalData<PersonalData>(c.env.MODELS, site, manifest.current.version) : null;
  const m = data?.segments;
  if (!manifest || !m) return c.json({ site, modelVersion: manifest?.current.version ?? null, k: 0, segments: [] });
  return c.json({
    site,
    modelVersion: manifest.current.version,
    k: m.k,
    silhouette: m.silhouette,
    daviesBouldin: m.daviesBouldin,
    tried: m.tried,
    features: m.featureNames,
    segments: m.centroids.map((_, i) => ({
      segment: i,
      size: m.sizes[i],
      description: m.descriptions[i],
      topItems: (data.segmentPopular[i] ?? []).slice(0, 5).map((n) => n.itemId),
    })),
  });
});
