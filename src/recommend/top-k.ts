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
 * entry by (score desc, key asc) and cutting at k gives. Entries failing `keep` are skipped and not counted against
 * k; k undefined keeps every entry. A map much larger than k (a request's accumulators can hold thousands of items
 * and keep a few dozen) goes through a heap of k, so only those k are ever sorted.
 */
export function topKOfMap<V>(map: ReadonlyMap<string, V>, k: number | undefined, score: (v: V) => number, keep?: (v: V) => boolean): [string, V][] {
  const limit = k === undefined ? Infinity : Math.max(0, Math.floor(k));
  if (limit === 0 || map.size === 0) return [];
  const keys: string[] = [];
  const vals: V[] = [];
  const scores: number[] = [];
  if (map.size > HEAP_ABOVE * limit) heapSelect(map, limit, score, keep, keys, vals, scores);
  else
    map.forEach((v, key) => {
      if (keep !== undefined && !keep(v)) return;
      keys.push(key), vals.push(v), scores.push(score(v));
    });
  const order = rankOrder(scores, keys);
  const n = Math.min(limit, order.length);
  const out = new Array<[string, V]>(n);
  for (let i = 0; i < n; i++) out[i] = [keys[order[i]!]!, vals[order[i]!]!];
  return out;
}

/** Above this many entries per kept one, selecting through a heap beats sorting them all. */
const HEAP_ABOVE = 4;

/** Fills keys/vals/scores with the `limit` best entries of `map`, in no particular order. */
function heapSelect<V>(map: ReadonlyMap<string, V>, limit: number, score: (v: V) => number, keep: ((v: V) => boolean) | undefined, keys: string[], vals: V[], scores: number[]): void {
  // Whether (s, key) ranks below slot i: a lower score, or the same score and a later key.
  const below = (s: number, key: string, i: number) => s < scores[i]! || (s === scores[i] && key > keys[i]!);
  const worse = (i: number, j: number) => below(scores[i]!, keys[i]!, j);
  // Slots by (score asc, key desc) once `limit` are held: a min-heap whose root is the worst entry kept.
  const heap: number[] = [];
  map.forEach((v, key) => {
    if (keep !== undefined && !keep(v)) return;
    const s = score(v);
    if (keys.length < limit) {
      keys.push(key), vals.push(v), scores.push(s);
      if (keys.length === limit) for (let i = 0; i < limit; i++) (heap.push(i), siftUp(heap, i, worse));
      return;
    }
    const root = heap[0]!;
    if (below(s, key, root)) return;
    // Reuse the evicted entry's slot: the arrays never grow past `limit`.
    keys[root] = key;
    vals[root] = v;
    scores[root] = s;
    siftDown(heap, 0, worse);
  });
}

/**
 * Indices 0..n-1 ordered by (score desc, key asc): a merge sort over insertion-sorted runs with the comparison
 * written out, since Array.prototype.sort's comparator calls were most of a request's ranking time. Written out
 * twice on purpose: one shared local `before(x, y)` made a ranking without the memo 10% slower (136 → 150 µs).
 */
function rankOrder(scores: readonly number[], keys: readonly string[]): Int32Array {
  const n = scores.length;
  let a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  const RUN = 16;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const x = a[i]!;
      const sx = scores[x]!;
      const kx = keys[x]!;
      let j = i - 1;
      // Shift while x ranks before a[j].
      while (j >= lo) {
        const y = a[j]!;
        const sy = scores[y]!;
        if (!(sx > sy || (sx === sy && kx < keys[y]!))) break;
        a[j + 1] = y;
        j--;
      }
      a[j + 1] = x;
    }
  }
  if (n <= RUN) return a;
  let b = new Int32Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        const x = a[i]!;
        const y = a[j]!;
        const sx = scores[x]!;
        const sy = scores[y]!;
        // The right run's entry goes first only if it ranks strictly before (keys are distinct, so never equal).
        if (sy > sx || (sy === sx && keys[y]! < keys[x]!)) (b[o++] = y), j++;
        else (b[o++] = x), i++;
      }
      while (i < mid) b[o++] = a[i++]!;
      while (j < hi) b[o++] = a[j++]!;
    }
    [a, b] = [b, a];
  }
  return a;
}
