// The retrain's segmentation at its profile cap (SEGMENT_MAX_CLUSTERED planted-persona visitors): wall time of
// trainSegments (every method and k), with and without a previous model, and the stored model's JSON size.
import { SEGMENT_MAX_CLUSTERED } from "../src/config/limits";
import { summaryFromEvents, type SummaryEvent } from "../src/recommend/segment-features";
import { trainSegments } from "../src/recommend/segments";
import { demoCatalog, demoPlantedEvents } from "../scripts/demo/generator";

export async function benchSegments(): Promise<Record<string, number>> {
  const now = Date.UTC(2026, 0, 15, 12);
  const catalog = new Map(demoCatalog().map((i) => [i.id, i.categories]));
  const rows = new Map<string, SummaryEvent[]>();
  for (const e of demoPlantedEvents({ now, visitors: SEGMENT_MAX_CLUSTERED, seed: 1 }).events) {
    let list = rows.get(e.anonymousId);
    if (!list) rows.set(e.anonymousId, (list = []));
    list.push(e);
  }
  const summaries = [...rows.values()].map((r) => summaryFromEvents(r, (id) => catalog.get(id)));
  const t0 = performance.now();
  const first = trainSegments(summaries, now)!;
  const t1 = performance.now();
  trainSegments(summaries, now + 3_600_000, { previous: first.model });
  const t2 = performance.now();
  return {
    profiles: summaries.length,
    coldMs: Math.round(t1 - t0),
    warmMs: Math.round(t2 - t1),
    candidates: first.model.candidates.length,
    modelBytes: JSON.stringify(first.model).length,
  };
}
