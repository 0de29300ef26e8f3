// GET /admin/segments: the served model's visitor segments: every clustering candidate tried with its scores and
// the choice, the segments (stable ids, size, description, traits, mean behavioural scores, favourite items), the
// new-visitor segment, the 2-D projection for the dashboard, the context-factor report and the stability figures.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import type { PersonalData } from "../models/train-personal";
import type { SegmentModel } from "../recommend/segments";
import { siteQuery } from "../schemas/admin";
import { database } from "../storage/db";
import { readManifest, readPersonalData } from "../storage/model-store";
import { findSite } from "../storage/sites-repo";

export const adminSegments = new Hono<AppEnv>();

/** The report of a segment model (GET /admin/segments' answer when the served version has segments). */
function reportOf(site: string, modelVersion: string, m: SegmentModel, data: PersonalData) {
  return {
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
  };
}
export type SegmentsReport = ReturnType<typeof reportOf>;
export type NoSegments = { site: string; modelVersion: string | null; k: 0; note: string; segments: [] };

/** A site's segments report from its served model version: what GET /admin/segments answers and the dashboard draws. */
export async function segmentsReport(env: Env, site: string): Promise<SegmentsReport | NoSegments> {
  const manifest = await readManifest(env.MODELS, site, { fresh: true });
  const data = manifest ? await readPersonalData<PersonalData>(env.MODELS, site, manifest.current.version) : null;
  const m = data?.segments;
  const modelVersion = manifest?.current.version ?? null;
  if (!manifest || !data || !m || m.schema !== 2) {
    const note = !manifest
      ? "no model yet: retrain once visitors have history"
      : m
        ? "this model version was trained before stable segments; the next retrain replaces it"
        : `no segments: fewer visitors than needed have enough history`;
    return { site, modelVersion, k: 0, note, segments: [] };
  }
  return reportOf(site, manifest.current.version, m, data);
}

adminSegments.get("/", async (c) => {
  const { site } = parseOrThrow(siteQuery, c.req.query(), "query");
  if (!(await findSite(database(c.env.DB), site))) throw new ApiError(404, "site_not_found", `no site ${site}`);
  return c.json(await segmentsReport(c.env, site));
});
