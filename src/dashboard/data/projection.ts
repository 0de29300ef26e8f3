// The segment model's optional 2-D projection, read structurally (pure: the Node tests run it): the segments rework
// may add it to src/recommend/segments.ts; until it is typed there, any shape other than points is "no projection".
import { DASHBOARD_MAX_SCATTER_POINTS } from "../../config/limits";

export type ProjectionPoint = { x: number; y: number; group: number };

/** Accepts `{x, y, segment}` objects or `[x, y, segment]` tuples; anything else means "no projection". */
export function projectionOf(model: unknown): ProjectionPoint[] | null {
  const raw = (model as { projection?: unknown } | null)?.projection;
  const list = Array.isArray(raw) ? raw : Array.isArray((raw as { points?: unknown })?.points) ? (raw as { points: unknown[] }).points : null;
  if (!list) return null;
  const points: ProjectionPoint[] = [];
  for (const p of list) {
    const [x, y, g] = Array.isArray(p) ? p : [(p as { x?: unknown })?.x, (p as { y?: unknown })?.y, (p as { segment?: unknown })?.segment];
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) points.push({ x, y, group: typeof g === "number" ? g : 0 });
  }
  if (points.length === 0) return null;
  if (points.length <= DASHBOARD_MAX_SCATTER_POINTS) return points;
  const every = points.length / DASHBOARD_MAX_SCATTER_POINTS;
  return Array.from({ length: DASHBOARD_MAX_SCATTER_POINTS }, (_, i) => points[Math.floor(i * every)]!);
}

