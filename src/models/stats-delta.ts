// Statistic increments as flat rows keyed by item id strings: what a SessionDO flushes to D1 and what the retrain
// merges back. Pure (no Workers imports), so the conversion is unit-tested in Node.
import { ItemVocab } from "../recommend/item-vocab";
import { SessionStatsAccumulator, type CountConfig, type SessionStats } from "../recommend/session-stats";

export type DeltaKind = "after" | "with" | "ie" | "is" | "n";
export type DeltaRow = { kind: DeltaKind; a: string; b: string; bucket: number; w: number };

export const BUCKET_MS = 3_600_000;

export function bucketOf(ts: number): number {
  return Math.floor(ts / BUCKET_MS);
}

/** Flattens statistics (typically of a few live steps) into rows tagged with `bucket`. Zero weights are dropped. */
export function statsToRows(stats: SessionStats, bucket: number): DeltaRow[] {
  const rows: DeltaRow[] = [];
  if (stats.sessions) rows.push({ kind: "n", a: "", b: "", bucket, w: stats.sessions });
  stats.items.forEach((id, i) => {
    if (stats.itemEvents[i]) rows.push({ kind: "ie", a: id, b: "", bucket, w: stats.itemEvents[i]! });
    if (stats.itemSessions[i]) rows.push({ kind: "is", a: id, b: "", bucket, w: stats.itemSessions[i]! });
  });
  for (const kind of ["after", "with"] as const) {
    const p = stats[kind];
    for (let e = 0; e < p.a.length; e++) {
      if (p.w[e]) rows.push({ kind, a: stats.items[p.a[e]!]!, b: stats.items[p.b[e]!]!, bucket, w: p.w[e]! });
    }
  }
  return rows;
}

/** Rebuilds mergeable statistics from rows (any order, repeated keys summed by the merge). */
export function rowsToStats(rows: readonly DeltaRow[], config: CountConfig): SessionStats {
  const vocab = new ItemVocab();
  const intern = (id: string) => vocab.intern(id);
  let sessions = 0;
  const ie: [number, number][] = [];
  const is: [number, number][] = [];
  const pairs = { after: [] as [number, number, number][], with: [] as [number, number, number][] };
  for (const r of rows) {
    if (r.kind === "n") sessions += r.w;
    else if (r.kind === "ie") ie.push([intern(r.a), r.w]);
    else if (r.kind === "is") is.push([intern(r.a), r.w]);
    else pairs[r.kind].push([intern(r.a), intern(r.b), r.w]);
  }
  const items = vocab.list().slice();
  const itemEvents = new Float64Array(items.length);
  const itemSessions = new Float64Array(items.length);
  for (const [i, w] of ie) itemEvents[i]! += w;
  for (const [i, w] of is) itemSessions[i]! += w;
  const toArrays = (list: [number, number, number][]) => ({
    a: Uint32Array.from(list, (t) => t[0]),
    b: Uint32Array.from(list, (t) => t[1]),
    w: Float64Array.from(list, (t) => t[2]),
  });
  return { config: { ...config }, sessions, items, itemEvents, itemSessions, after: toArrays(pairs.after), with: toArrays(pairs.with) };
}

/**
 * The increments of new live steps: each step is counted with the path before it as its prefix, exactly as the
 * trainer counts a whole session, and tagged with the hour of the step's own time.
 */
export function liveStepRows(
  pathBefore: readonly { itemId: string }[],
  newSteps: readonly { itemId: string; ts: number }[],
  config: CountConfig,
): DeltaRow[] {
  const byBucket = new Map<number, SessionStatsAccumulator>();
  const prefix = pathBefore.map((s) => s.itemId);
  for (const step of newSteps) {
    const bucket = bucketOf(step.ts);
    let acc = byBucket.get(bucket);
    if (!acc) byBucket.set(bucket, (acc = new SessionStatsAccumulator(config)));
    acc.pushStep(prefix, step.itemId);
    prefix.push(step.itemId);
  }
  return [...byBucket].flatMap(([bucket, acc]) => statsToRows(acc.stats(), bucket));
}
