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
