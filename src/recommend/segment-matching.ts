// Stable segment ids across retrains: each new cluster takes the id of the previous model's segment it shares the
// most visitors with (greedy on the overlap table, largest overlap first, one-to-one), else a fresh id, so
// targeting and reports that name a segment survive a retrain.

/**
 * `previous[i]` is visitor i's segment id in the previous model (null when it had none), `next[i]` their cluster
 * index now. Returns an id per cluster index and the next fresh id. A cluster takes an old id only when they share
 * at least `minShare` of the cluster's visitors, so a genuinely new group does not inherit an unrelated name.
 */
export function matchSegmentIds(
  previous: readonly (number | null)[],
  next: readonly number[],
  clusters: number,
  firstFreeId: number,
  minShare = 0.3,
): { ids: number[]; nextFreeId: number } {
  const overlap = new Map<string, number>();
  const size = new Array<number>(clusters).fill(0);
  next.forEach((c, i) => {
    if (c < 0) return;
    size[c]!++;
    const p = previous[i];
    if (p === null || p === undefined) return;
    const key = `${c}:${p}`;
    overlap.set(key, (overlap.get(key) ?? 0) + 1);
  });
  const pairs = [...overlap].map(([key, n]) => {
    const [c, p] = key.split(":").map(Number) as [number, number];
    return { c, p, n };
  });
  // Largest overlap first; ties broken by ids so the result is deterministic.
  pairs.sort((a, b) => b.n - a.n || a.c - b.c || a.p - b.p);
  const ids = new Array<number>(clusters).fill(-1);
  const taken = new Set<number>();
  for (const { c, p, n } of pairs) {
    if (ids[c] !== -1 || taken.has(p) || n < minShare * size[c]!) continue;
    ids[c] = p;
    taken.add(p);
  }
  let free = firstFreeId;
  for (let c = 0; c < clusters; c++) if (ids[c] === -1) ids[c] = free++;
  return { ids, nextFreeId: free };
}
