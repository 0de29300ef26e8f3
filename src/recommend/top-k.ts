// Selection of the k best entries by score without sorting everything (k is small next to the candidates).

/** Indices of the k largest values, best first; ties keep the lower index first (deterministic output). */
export function topKIndices(values: ArrayLike<number>, k: number, count = values.length): number[] {
  const heap: number[] = []; // min-heap of indices by (value asc, index desc): the root is the worst kept entry
  const worse = (i: number, j: number) => values[i] < values[j] || (values[i] === values[j] && i > j);
  for (let i = 0; i < count; i++) {
    if (heap.length < k) {
      heap.push(i);
      siftUp(heap, heap.length - 1, worse);
    } else if (k > 0 && worse(heap[0], i)) {
      heap[0] = i;
      siftDown(heap, 0, worse);
    }
  }
  return heap.sort((i, j) => (worse(i, j) ? 1 : worse(j, i) ? -1 : 0));
}

function siftUp(h: number[], at: number, worse: (i: number, j: number) => boolean): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!worse(h[at], h[parent])) return;
    [h[at], h[parent]] = [h[parent], h[at]];
    at = parent;
  }
}

function siftDown(h: number[], at: number, worse: (i: number, j: number) => boolean): void {
  for (;;) {
    const l = 2 * at + 1;
    const r = l + 1;
    let m = at;
    if (l < h.length && worse(h[l], h[m])) m = l;
    if (r < h.length && worse(h[r], h[m])) m = r;
    if (m === at) return;
    [h[at], h[m]] = [h[m], h[at]];
    at = m;
  }
}

/**
 * The k entries of `map` with the highest `score`, best first, ties by key ascending: exactly what sorting every
 * entry by (score desc, key asc) and cutting at k gives, without materialising every entry (a request's
 * accumulators hold hundreds to thousands of items and keep a few dozen). Entries failing `keep` are skipped and
 * not counted against k; k undefined keeps every entry.
 */
export function topKOfMap<V>(map: ReadonlyMap<string, V>, k: number | undefined, score: (v: V) => number, keep?: (v: V) => boolean): [string, V][] {
  const limit = k === undefined ? Infinity : Math.max(0, Math.floor(k));
  const keys: string[] = [];
  const vals: V[] = [];
  const scores: number[] = [];
  // Whether (s, key) ranks below slot i: a lower score, or the same score and a later key.
  const below = (s: number, key: string, i: number) => s < scores[i]! || (s === scores[i] && key > keys[i]!);
  const worse = (i: number, j: number) => below(scores[i]!, keys[i]!, j);
  // Slots by (score asc, key desc) once k are held: a min-heap whose root is the worst entry kept.
  const heap: number[] = [];
  if (limit > 0) {
    map.forEach((v, key) => {
      if (keep !== undefined && !keep(v)) return;
      const s = score(v);
      if (keys.length < limit) {
        keys.push(key), vals.push(v), scores.push(s);
        // The heap is built only once it is full: a map with at most k entries (or k undefined) is just sorted.
        if (keys.length === limit) for (let i = 0; i < limit; i++) (heap.push(i), siftUp(heap, i, worse));
        return;
      }
      const root = heap[0]!;
      if (below(s, key, root)) return;
      // Reuse the evicted entry's slot: the arrays never grow past k.
      keys[root] = key;
      vals[root] = v;
      scores[root] = s;
      siftDown(heap, 0, worse);
    });
  }
  const order = keys.map((_, i) => i).sort((i, j) => scores[j]! - scores[i]! || (keys[i]! < keys[j]! ? -1 : keys[i]! > keys[j]! ? 1 : 0));
  return order.map((i) => [keys[i]!, vals[i]!]);
}
