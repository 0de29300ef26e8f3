// The segments page's data: the served model version's segment model (as GET /admin/segments reads it) and, when the
// segment model carries one, its 2-D projection of visitors for the scatter.
// ADAPTER (issue 10 part 6): the segments rework may add `projection` (2-D points with their segment) to the model in
// src/recommend/segments.ts. It is read structurally here, so the scatter appears as soon as the field exists and
// nothing breaks before; once it is typed there, replace `projectionOf` by a plain field read.
import type { PersonalData } from "../../models/train-personal";
import { readManifest, readPersonalData } from "../../storage/model-store";
import { projectionOf, type ProjectionPoint } from "./projection";

export type SegmentRow = { segment: number; size: number; description: string; topItems: string[] };
export type SegmentsView = {
  modelVersion: string | null;
  k: number;
  silhouette: number | null;
  daviesBouldin: number | null;
  segments: SegmentRow[];
  /** Visitors in the 2-D projection (sampled to DASHBOARD_MAX_SCATTER_POINTS), or null without one. */
  projection: ProjectionPoint[] | null;
};

export async function segmentsView(env: Env, site: string): Promise<SegmentsView> {
  const manifest = await readManifest(env.MODELS, site, { fresh: true });
  const data = manifest ? await readPersonalData<PersonalData>(env.MODELS, site, manifest.current.version) : null;
  const m = data?.segments;
  if (!manifest || !m) return { modelVersion: manifest?.current.version ?? null, k: 0, silhouette: null, daviesBouldin: null, segments: [], projection: null };
  return {
    modelVersion: manifest.current.version,
    k: m.k,
    silhouette: m.silhouette,
    daviesBouldin: m.daviesBouldin,
    segments: m.centroids.map((_, i) => ({
      segment: i,
      size: m.sizes[i] ?? 0,
      description: m.descriptions[i] ?? "",
      topItems: (data.segmentPopular[i] ?? []).slice(0, 5).map((n) => n.itemId),
    })),
    projection: projectionOf(m),
  };
}
