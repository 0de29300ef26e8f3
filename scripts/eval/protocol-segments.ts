// The segments protocol (`npm run eval -- --protocol segments`): on the demo generator's planted personas, the
// adjusted Rand index of each clustering method against the truth, silhouette and Davies-Bouldin, and the share of
// visitors keeping their segment id after an unchanged retrain and after 5% new visitors; then the segments and
// the context-factor report on MovieLens. It calls the Worker's own modules (src/recommend/segments.ts and below).
import { existsSync } from "node:fs";
import { adjustedRand } from "../../src/recommend/cluster-quality";
import { summaryFromEvents, type BehaviourSummary, type SummaryEvent } from "../../src/recommend/segment-features";
import { NEW_VISITOR_SEGMENT, SEGMENT_METHODS, segmentSettings, trainSegments, type SegmentMethod, type SegmentModel } from "../../src/recommend/segments";
import { demoCatalog, demoPlantedEvents, type DemoEvent } from "../demo/generator";
import { historySummary } from "./history-summary";
import { readItemCategories, readUserHistories } from "./read-users";
import { formatSegmentReport } from "./segment-report";

const MOVIELENS = "/work/shared/data/movielens-latest-small";

type Visitors = { ids: string[]; summaries: BehaviourSummary[] };

function byVisitor(events: readonly DemoEvent[], categoriesOf: (id: string) => readonly string[] | undefined): Visitors {
  const rows = new Map<string, SummaryEvent[]>();
  for (const e of events) {
    let list = rows.get(e.anonymousId);
    if (!list) rows.set(e.anonymousId, (list = []));
    list.push({ type: e.type, ts: e.ts, sessionId: e.sessionId, itemId: e.itemId, context: e.context });
  }
  const ids = [...rows.keys()].sort();
  return { ids, summaries: ids.map((id) => summaryFromEvents(rows.get(id)!, categoriesOf)) };
}

/** Share of `ids` whose segment is the same in both assignments (visitors absent from either are skipped). */
function keptShare(ids: readonly string[], before: Map<string, number>, after: Map<string, number>): number {
  let same = 0;
  let n = 0;
  for (const id of ids) {
    const a = before.get(id);
    const b = after.get(id);
    if (a === undefined || b === undefined || a === NEW_VISITOR_SEGMENT) continue;
    n++;
    if (a === b) same++;
  }
  return n ? same / n : 1;
}

const asMap = (ids: readonly string[], assign: readonly number[]) => new Map(ids.map((id, i) => [id, assign[i]!]));
const f3 = (x: number) => x.toFixed(3);

function ariOf(v: Visitors, assign: readonly number[], truth: Map<string, string>): number {
  const idx = v.ids.map((_, i) => i).filter((i) => assign[i] !== NEW_VISITOR_SEGMENT);
  return adjustedRand(idx.map((i) => truth.get(v.ids[i]!)!), idx.map((i) => assign[i]!));
}

function stability(v: Visitors, extra: Visitors, now: number, model: SegmentModel, out: (s: string) => void): void {
  const first = asMap(v.ids, trainSegments(v.summaries, now, { previous: null })!.assign);
  // The same data retrained an hour later against the model it produced.
  const same = trainSegments(v.summaries, now + 3_600_000, { previous: model })!;
  const grown = trainSegments([...v.summaries, ...extra.summaries], now + 3_600_000, { previous: model })!;
  out(`  stability: unchanged-data retrain keeps ${(keptShare(v.ids, first, asMap(v.ids, same.assign)) * 100).toFixed(1)}% of visitors' segment ids (target 100%)\n`);
  out(
    `  stability: +${extra.ids.length} new visitors (${((extra.ids.length / v.ids.length) * 100).toFixed(1)}%): ${(keptShare(v.ids, first, asMap([...v.ids, ...extra.ids], grown.assign)) * 100).toFixed(1)}% keep their segment id (target >= 90%); chose ${grown.model.method} k=${grown.model.k}; ${grown.model.selection}\n`,
  );
}

export async function runSegmentsProtocol(opts: { input?: string; items?: string }, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  // 1. The demo generator's planted personas (ground truth over behaviour and context).
  const now = Date.UTC(2026, 0, 15, 12);
  const catalog = new Map(demoCatalog().map((i) => [i.id, i.categories]));
  const categoriesOf = (id: string) => catalog.get(id);
  const planted = demoPlantedEvents({ now, visitors: 1200, seed: 11 });
  const v = byVisitor(planted.events, categoriesOf);
  const extraRun = demoPlantedEvents({ now, visitors: 60, seed: 12 });
  const extra = byVisitor(extraRun.events, categoriesOf);
  out(`demo planted personas: ${v.ids.length} visitors, ${planted.events.length} events, ${new Set(planted.truth.values()).size} planted segments\n`);
  out(`  method   k   ARI    silhouette  Davies-Bouldin  (best candidate of that method alone)\n`);
  for (const method of SEGMENT_METHODS as readonly SegmentMethod[]) {
    const r = trainSegments(v.summaries, now, { settings: segmentSettings({ methods: [method] }) });
    if (!r) {
      out(`  ${method.padEnd(7)}  -   no segmentation\n`);
      continue;
    }
    out(`  ${method.padEnd(7)}  ${String(r.model.k).padEnd(2)}  ${f3(ariOf(v, r.assign, planted.truth))}  ${f3(r.model.silhouette)}       ${f3(r.model.daviesBouldin)}\n`);
  }
  const auto = trainSegments(v.summaries, now)!;
  out(`  chosen (all methods): ${auto.model.method} k=${auto.model.k}, ARI ${f3(ariOf(v, auto.assign, planted.truth))} (target >= 0.8), silhouette ${f3(auto.model.silhouette)}, Davies-Bouldin ${f3(auto.model.daviesBouldin)}\n`);
  out(`  new visitors (below ${auto.model.newVisitors.minEvents} events): ${auto.model.newVisitors.size}\n`);
  stability(v, extra, now, auto.model, out);
  out(formatSegmentReport(auto.model).replace(/^/gm, "  "));

  // 2. MovieLens: ratings as views, sessions split at 30-minute gaps; genres as categories. No device or locale.
  const ratings = opts.input ?? `${MOVIELENS}/ratings.csv`;
  const items = opts.items ?? `${MOVIELENS}/movies.csv`;
  if (!existsSync(ratings)) {
    out(`\nMovieLens: ${ratings} not found; skipped\n`);
    return;
  }
  const histories = await readUserHistories(ratings);
  const genres = existsSync(items) ? await readItemCategories(items) : new Map<string, string[]>();
  const ml: Visitors = { ids: histories.map((h) => h.user), summaries: histories.map((h) => historySummary(h, genres)) };
  const mlNow = Math.max(...ml.summaries.map((s) => s.lastSeen));
  out(`\nMovieLens (${ratings}): ${ml.ids.length} users\n`);
  const cut = Math.floor(ml.ids.length * 0.95);
  const base: Visitors = { ids: ml.ids.slice(0, cut), summaries: ml.summaries.slice(0, cut) };
  const rest: Visitors = { ids: ml.ids.slice(cut), summaries: ml.summaries.slice(cut) };
  const mlModel = trainSegments(base.summaries, mlNow);
  if (!mlModel) {
    out(`  no segmentation\n`);
    return;
  }
  stability(base, rest, mlNow, mlModel.model, out);
  out(formatSegmentReport(trainSegments(ml.summaries, mlNow)!.model).replace(/^/gm, "  "));
}
