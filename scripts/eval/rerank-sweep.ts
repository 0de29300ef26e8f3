// `npx tsx scripts/eval/rerank-sweep.ts --train F --fold N`: the re-ranker's fit settings compared on one of train's
// last days (fold N: train's N-th day from the end, lists trained on the days before it; never a test file). The
// blend's pools and the fit's rows are computed once, then every setting is fitted and scored on the same pools.
// MRR@20 counts the pool's new order (a target outside the pool keeps the blend's rank). Issue 9 part 10.
import { parseArgs } from "node:util";
import { RERANK_POOL } from "../../src/config/limits";
import { feedRerank, RerankFitTrainer } from "../../src/models/train-rerank";
import { rankCandidates, recommendInMemory, type PipelineRequest } from "../../src/recommend/pipeline";
import { exampleRow, fitRerank, RERANK_FEATURES, rerankFeatures, rerankOrder, type RerankExample, type RerankModel } from "../../src/recommend/rerank";
import { SessionState } from "../../src/recommend/session-state";
import type { ArtifactView } from "../../src/recommend/sources/types";
import { excludeSeen } from "../../src/recommend/exclude-seen";
import { memoryCatalog } from "./pipeline-view";
import { servedArtifacts } from "./pipeline-rows";
import { readEventTable } from "./read-table";
import { groupSessions, type Session } from "./sessions";
import { validationDay } from "./tune-session-blend";

const DAY = 86_400;
const PATH_FLAGS = (["current", "back1", "back2", "back3", "back4"] as const).map((f) => RERANK_FEATURES.indexOf(f));
/** Whether a pool holds one of the path's own items (else it is a "next" slot's pool). */
const hasRevisit = (rows: readonly ArrayLike<number>[]) => rows.some((x) => PATH_FLAGS.some((f) => x[f]! > 0));

/** One prediction: its pool's rows and the target's index there, else its 1-based rank in the served list (0: none). */
type Query = { rows: Float64Array[]; target: number; rank: number };

function queries(view: ArtifactView, last: number, test: readonly Session[], includeViewed: boolean): Query[] {
  const out: Query[] = [];
  const catalog = memoryCatalog();
  for (const s of test) {
    const state = new SessionState();
    const seen = new Set<string>();
    for (let t = 0; t + 1 < s.items.length; t++) {
      state.push(s.items[t]!, s.times[t]!);
      seen.add(s.items[t]!);
      const next = s.items[t + 1]!;
      if (!includeViewed && seen.has(next)) continue;
      const path = state.path();
      const k = includeViewed ? 20 : 20 + seen.size;
      const req: PipelineRequest = { ctx: { path, history: [], segment: null, now: last }, sessionPath: path, rules: { includeViewed }, k, allowUncatalogued: true };
      const top = rankCandidates(req, view).candidates.filter((c) => c.source !== "backfill").slice(0, RERANK_POOL);
      const target = top.findIndex((c) => c.itemId === next);
      let rank = 0;
      if (target < 0) {
        const ids = recommendInMemory(req, view, catalog).items.map((i) => i.id);
        rank = excludeSeen(ids, includeViewed ? [] : seen, 20).indexOf(next) + 1;
      }
      out.push({ rows: top.length >= 2 ? rerankFeatures(path, top.map((c) => c.itemId), view) : [], target, rank });
    }
  }
  return out;
}

function mrr(qs: readonly Query[], model: RerankModel | null, freshModel: RerankModel | null = model): number {
  let sum = 0;
  for (const q of qs) {
    const m = hasRevisit(q.rows) ? model : freshModel;
    if (q.target < 0) sum += q.rank > 0 ? 1 / q.rank : 0;
    else if (!m || q.rows.length < 2) sum += 1 / (q.target + 1);
    else sum += 1 / (rerankOrder(q.rows, m).indexOf(q.target) + 1);
  }
  return sum / qs.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { train: { type: "string" }, fold: { type: "string", default: "1" }, l2: { type: "string", default: "0.03,0.1" }, separate: { type: "boolean" }, days: { type: "string", default: "3" }, iterations: { type: "string", default: "150" } } });
  if (!values.train) throw new Error("usage: rerank-sweep.ts --train F [--fold N] [--days D] [--l2 a,b] [--iterations a,b] [--separate]");
  let all = groupSessions(await readEventTable(values.train));
  for (let f = 1; f < Number(values.fold); f++) all = validationDay(all).train;
  const { train: head, valid } = validationDay(all);
  const t0 = performance.now();
  const { view, last } = servedArtifacts(head);
  const plain = { ...view, rerank: null };
  const std = queries(plain, last, valid, true);
  const fresh = queries(plain, last, valid, false);
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`fold ${values.fold}: ${std.length} / ${fresh.length} predictions, blend order MRR@20 ${mrr(std, null).toFixed(4)} | ${mrr(fresh, null).toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  // The fit's rows: day j back from the head's end held out from a head copy trained on the days before it; "days
  // 1-n" pools the newest n (what RERANK_HOLDOUT_DAYS = n fits on).
  const lastMs = last;
  const heldOut = (newest: number): RerankExample[] => {
    const rows = function* () {
      for (const s of head) {
        if (s.times.at(-1)! * 1000 >= newest) continue;
        for (let i = 0; i < s.items.length; i++) yield { profileId: s.id, itemId: s.items[i]!, ts: s.times[i]! * 1000, type: "view" as const };
      }
    };
    return feedRerank(new RerankFitTrainer(newest, view.trending, { days: 1 }), [], rows).examples()?.examples ?? [];
  };
  const first = head.reduce((m, s) => Math.min(m, s.times[0]!), Infinity) * 1000;
  const sets: Record<string, RerankExample[]> = {};
  const byDay: RerankExample[][] = [];
  for (let d = 1; d <= Number(values.days) && lastMs - d * DAY * 1000 > first; d++) {
    const t = performance.now();
    byDay.push(heldOut(lastMs - (d - 1) * DAY * 1000 + 1));
    log(`day ${d}: ${byDay.at(-1)!.length} rows (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    if (byDay.at(-1)!.length === 0) byDay.pop();
    if (d > 1) sets[`days 1-${d}`] = byDay.flat();
  }
  sets["day 1"] = byDay[0]!;
  const l2s = values.l2!.split(",").map(Number);
  const iterationCaps = values.iterations!.split(",").map(Number);
  for (const [name, ex] of Object.entries(sets)) {
    const rowsOf = (e: RerankExample) => Array.from({ length: e.n }, (_, r) => exampleRow(e, r));
    const rev = ex.filter((e) => hasRevisit(rowsOf(e)));
    const fr = ex.filter((e) => !hasRevisit(rowsOf(e)));
    for (const l2 of l2s) for (const iterations of iterationCaps) {
      const t = performance.now();
      const shared = fitRerank(ex, RERANK_POOL, { l2, iterations });
      const ts = (performance.now() - t) / 1000;
      const line = (m: RerankModel) => `${mrr(std, m).toFixed(4)} | ${mrr(fresh, m).toFixed(4)}`;
      let out = `${name} (${ex.length} rows = ${rev.length} + ${fr.length}), l2 ${l2}, iterations ${iterations}: shared ${line(shared)} (${ts.toFixed(0)} s)`;
      if (values.separate) {
        // Separate models for pools with and without the path's items: the first fitted on the former only, the
        // second on the latter only, each pool scored by its own.
        const a = fitRerank(rev, RERANK_POOL, { l2 });
        const b = fitRerank(fr, RERANK_POOL, { l2 });
        out += `; separate ${mrr(std, a, b).toFixed(4)} | ${mrr(fresh, a, b).toFixed(4)}`;
      }
      log(out);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
