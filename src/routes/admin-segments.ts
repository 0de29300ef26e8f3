// GET /admin/segments: the served model's visitor segments: every clustering candidate tried with its scores and
// the choice, the segments (stable ids, size, description, traits, mean behavioural scores, favourite items), the
// new-visitor segment, the 2-D projection for the dashboard, the context-factor report and the stability figures.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import type { PersonalData } from "../models/train-personal";
import { siteQuery } from "../schemas/admin";
import { database } from "../storage/db";
import { readManifest, readPersonalData } from "../storage/model-store";
import { findSite } from "../storage/sites-repo";

export const adminSegments = new Hono<AppEnv>();

adminSegments.get("/", async (c) => {
  const { site } = parseOrThrow(siteQuery, c.req.query(), "query");
  if (!(await findSite(database(c.env.DB), site))) throw new ApiError(404, "site_not_found", `no site ${site}`);
  const manifest = await readManifest(c.env.MODELS, site, { fresh: true });
  const data = manifest ? await readPersonalData<PersonalData>(c.env.MODELS, site, manifest.current.version) : null;
  const m = data?.segments;
  const modelVersion = manifest?.current.version ?? null;
  if (!manifest || !m || m.schema !== 2) {
    const note = !manifest
      ? "no model yet: retrain once visitors have history"
      : m
        ? "this model version was trained before stable segments; the next retrain replaces it"
        : `no segments: fewer visitors than needed have enough history`;
    return c.json({ site, modelVersion, k: 0, note, segments: [] });
  }
  return c.json({
    site,
    modelVersion,
    method: m.method,
    k: m.k,
    silhouette: m.silhouette,
    daviesBouldin: m.daviesBouldin,
    selection: m.selection,
    structure: m.structure,
    candidates: m.candidates,
    settings: m.settings,
    profiles: m.profiles,
    clustered: m.clustered,
    features: m.featureNames,
    newVisitors: m.newVisitors,
    segments: m.segments.map((s) => ({ ...s, topItems: (data.segmentPopular[s.id] ?? []).slice(0, 5).map((n) => n.itemId) })),
    projection: m.projection,
    contextFactors: m.context,
    stability: m.stability,
  });
});
