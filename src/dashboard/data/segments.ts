// The segments page's data: the served model version's segment model (as GET /admin/segments reads it) and, when the
// segment model carries one, its 2-D projection of visitors for the scatter.
// ADAPTER (issue 10 part 6): the segments rework may add `projection` (2-D points with their segment) to the model in
// src/recommend/segments.ts. It is read structurally here, so the scatter appears as soon as the field exists and
// nothing breaks before; once it is typed there, replace `projectionOf` by a plain field read.
import { DASHBOARD_MAX_SCATTER_POINTS } from "../../config/limits";
import type { PersonalData } from "../../models/train-personal";
import { readManifest, readPersonalData } from "../../storage/model-store";

export type SegmentRow = { segment: number; size: number; description: string; topItems: string[] };
export type SegmentsView = {
  modelVersion: string | null;
  k: number;
  silhouette: number | null;
  daviesBouldin: number | null;
  segments: SegmentRow[];
  /** Visitors in the 2-D projection (sampled to DASHBOARD_MAX_SCATTER_POINTS), or null without one. */
  projection: { x: number; y: number; group: number }[] | null;
};

/** Accepts `{x, y, segment}` objects or `[x, y, segment]` tuples; anything else means "no projection". */
export function projectionOf(model: unknown): SegmentsView["projection"] {
  const raw = (model as { projection?: unknown } | null)?.projection;
  const list = Array.isArray(raw) ? raw : Array.isArray((raw as { points?: unknown })?.points) ? (raw as { points: unknown[] }).points : null;
  if (!list) return null;
  const points: { x: number; y: number; group: number }[] = [];
  for (const p of list) {
    const [x, y, g] = Array.isArray(p) ? p : [(p as { x?: unknown })?.x, (p as { y?: unknown })?.y, (p as { segment?: unknown })?.segment];
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) points.push({ x, y, group: typeof g === "number" ? g : 0 });
  }
  if (points.length === 0) return null;
  if (points.length <= DASHBOARD_MAX_SCATTER_POINTS) return points;
  const every = points.length / DASHBOARD_MAX_SCATTER_POINTS;
  return Array.from({ length: DASHBOARD_MAX_SCATTER_POINTS }, (_, i) => points[Math.floor(i * every)]!);
}

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
