// The segments scatter's points: the segment model's 2-D projection (src/recommend/segments.ts SegmentProjection)
// as chart points, each segment id mapped to its series index, sampled evenly above DASHBOARD_MAX_SCATTER_POINTS.
import { DASHBOARD_MAX_SCATTER_POINTS } from "../../config/limits";
import type { SegmentProjection } from "../../recommend/segments";

export type ProjectionPoint = { x: number; y: number; group: number };

/** `ids`: the segment ids in series order; a point of another segment (none today) is left out. */
export function scatterPoints(projection: SegmentProjection, ids: readonly number[]): ProjectionPoint[] {
  const index = new Map(ids.map((id, i) => [id, i]));
  const points: ProjectionPoint[] = [];
  for (const p of projection.points) {
    const group = index.get(p.segment);
    if (group !== undefined && Number.isFinite(p.x) && Number.isFinite(p.y)) points.push({ x: p.x, y: p.y, group });
  }
  if (points.length <= DASHBOARD_MAX_SCATTER_POINTS) return points;
  const every = points.length / DASHBOARD_MAX_SCATTER_POINTS;
  return Array.from({ length: DASHBOARD_MAX_SCATTER_POINTS }, (_, i) => points[Math.floor(i * every)]!);
}
