// Small dense-vector helpers shared by the clustering modules (k-means, GMM, DBSCAN, PCA, quality scores).

export type Matrix = readonly (readonly number[])[];

/** Squared Euclidean distance. */
export function dist2(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** Index of the nearest centre (ties to the lowest index). */
export function nearest(x: readonly number[], centres: Matrix): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < centres.length; i++) {
    const d = dist2(x, centres[i]!);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Column means of the rows assigned to each of `k` groups (an empty group keeps `fallback[c]`). */
export function groupMeans(points: Matrix, assign: readonly number[], k: number, fallback?: Matrix): number[][] {
  const d = points[0]?.length ?? 0;
  const sums = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  const counts = new Array<number>(k).fill(0);
  points.forEach((p, i) => {
    const a = assign[i]!;
    if (a < 0 || a >= k) return;
    counts[a]!++;
    for (let j = 0; j < d; j++) sums[a]![j]! += p[j]!;
  });
  return sums.map((s, c) => (counts[c]! > 0 ? s.map((v) => v / counts[c]!) : (fallback?.[c]?.slice() ?? s)));
}

/** Rounds to 4 decimals and never yields -0 (which JSON and toFixed would show as "-0.00"). */
export function round4(x: number): number {
  const r = Math.round(x * 1e4) / 1e4;
  return r === 0 ? 0 : r;
}
