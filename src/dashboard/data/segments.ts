// The segments page's data: the same report GET /admin/segments answers (src/routes/admin-segments.ts), with the
// projection as scatter points.
import { segmentsReport, type NoSegments, type SegmentsReport } from "../../routes/admin-segments";
import { scatterPoints, type ProjectionPoint } from "./projection";

export type SegmentsView = { report: SegmentsReport; points: ProjectionPoint[]; ids: number[] } | NoSegments;

export async function segmentsView(env: Env, site: string): Promise<SegmentsView> {
  const r = await segmentsReport(env, site);
  if (!("method" in r)) return r;
  // The new-visitor segment is drawn too: it is where visitors without enough evidence sit.
  const ids = [r.newVisitors.id, ...r.segments.map((s) => s.id)];
  return { report: r, points: scatterPoints(r.projection, ids), ids };
}
