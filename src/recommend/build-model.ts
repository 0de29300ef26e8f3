// Turns session statistics into the served model: per-item top-K "after" and "with" lists plus popularity.
// A pure function of the statistics and this config, so any node holding the same sums builds the same model.
import { groupRows, type PairRows } from "./pair-table";
import type { PairArrays, SessionStats } from "./session-stats";
import { topKIndices } from "./top-k";
import type { PackedLists, SessionModel } from "./types";

export type BuildConfig = {
  /** Neighbours kept per list. */
  k: number;
  /** Items in the popularity back-fill list. */
  popularK: number;
  /** after(a, b) is divided by (sum of a's row)^afterRowNorm: 1 = conditional frequency, 0 = raw weight. */
  afterRowNorm: number;
  /** with(a, b) gets the factor (1 + withIdf * idf(b)), idf(b) = ln(sessions / sessions containing b). */
  withIdf: number;
  /** with(a, b) is divided by (sessions containing a)^withRowNorm. */
  withRowNorm: number;
  /** with(a, b) is divided by (sessions containing b)^withColNorm (damps popular neighbours). */
  withColNorm: number;
  /** Weight of the item itself in its with-list, in units of its session count (0 = leave it out). */
  withSelf: number;
};

// Tuned on the yoochoose validation day (docs/model.md). withSelf matters most: a quarter of next clicks repeat
// the current item, and an item's own with-entry is what lets the path pull its items back up.
export const DEFAULT_BUILD_CONFIG: BuildConfig = {
  k: 100,
  popularK: 100,
  afterRowNorm: 1,
  withIdf: 1,
  withRowNorm: 0.75,
  withColNorm: 0,
  withSelf: 2,
};

/** What the build reads: the accumulator itself (no copy) or exported SessionStats via statsSource(). */
export type StatsSource = {
  readonly sessions: number;
  readonly items: readonly string[];
  readonly itemEvents: ArrayLike<number>;
  readonly itemSessions: ArrayLike<number>;
  afterRows(): PairRows;
  /** Co-occurrence rows, each unordered pair filed under both items. */
  withRows(): PairRows;
};

export function statsSource(s: SessionStats): StatsSource {
  const each = (p: PairArrays) => (fn: (a: number, b: number, w: number) => void) => {
    for (let e = 0; e < p.a.length; e++) fn(p.a[e], p.b[e], p.w[e]);
  };
  return {
    sessions: s.sessions,
    items: s.items,
    itemEvents: s.itemEvents,
    itemSessions: s.itemSessions,
    afterRows: () => groupRows(each(s.after), s.items.length, false),
    withRows: () => groupRows(each(s.with), s.items.length, true),
  };
}

export function buildModel(stats: StatsSource, config: Partial<BuildConfig> = {}): SessionModel {
  const c = { ...DEFAULT_BUILD_CONFIG, ...config };
  const n = stats.items.length;
  const own = (i: number) => stats.itemSessions[i] || 1;
  const idf = new Float64Array(n);
  for (let i = 0; i < n; i++) idf[i] = stats.itemSessions[i] > 0 ? Math.log(stats.sessions / stats.itemSessions[i]) : 0;

  // One kind at a time, so only one set of rows is alive.
  const after = packLists(stats.afterRows(), n, c.k, -1, (_a, _b, w, rowSum) => w / Math.pow(rowSum, c.afterRowNorm));
  const withLists = packLists(stats.withRows(), n, c.k, c.withSelf > 0 ? c.withSelf : -1, (a, b, w) => {
    const v = a === b ? c.withSelf * own(a) : w;
    return (v * (1 + c.withIdf * idf[b])) / Math.pow(own(a), c.withRowNorm) / Math.pow(own(b), c.withColNorm);
  });

  const top = topKIndices(stats.itemEvents, c.popularK, n);
  const best = top.length ? stats.itemEvents[top[0]] : 1;
  const popular = top.map((i) => ({ itemId: stats.items[i], score: stats.itemEvents[i] / best }));
  return { items: stats.items.slice(), after, with: withLists, popular };
}

/**
 * Scores every row's entries and keeps the k best. With `self` >= 0 each row also gets a candidate for its own
 * item (score fn sees b === a) unless the rows already hold one.
 */
function packLists(
  rows: PairRows,
  n: number,
  k: number,
  self: number,
  score: (a: number, b: number, w: number, rowSum: number) => number,
): PackedLists {
  const offsets = new Uint32Array(n + 1);
  let neighbours = new Uint32Array(Math.min(rows.cols.length + n, n * k) || 1);
  let scores = new Float32Array(neighbours.length);
  let maxRow = 1;
  for (let a = 0; a < n; a++) maxRow = Math.max(maxRow, rows.rowStart[a + 1] - rows.rowStart[a] + 1);
  const cand = new Uint32Array(maxRow);
  const vals = new Float64Array(maxRow);
  let out = 0;
  for (let a = 0; a < n; a++) {
    const from = rows.rowStart[a];
    const to = rows.rowStart[a + 1];
    let rowSum = 0;
    for (let e = from; e < to; e++) rowSum += rows.vals[e];
    let m = 0;
    let hasSelf = false;
    for (let e = from; e < to; e++) {
      cand[m] = rows.cols[e];
      if (cand[m] === a) hasSelf = true;
      vals[m++] = score(a, rows.cols[e], rows.vals[e], rowSum || 1);
    }
    if (self >= 0 && !hasSelf) {
      cand[m] = a;
      vals[m++] = score(a, a, 0, rowSum || 1);
    }
    for (const i of topKIndices(vals, k, m)) {
      if (!(vals[i] > 0)) continue;
      neighbours[out] = cand[i];
      scores[out++] = vals[i];
    }
    offsets[a + 1] = out;
  }
  neighbours = neighbours.slice(0, out);
  scores = scores.slice(0, out);
  return { offsets, neighbours, scores };
}
