// Clustering quality scores: silhouette (higher is better), Davies-Bouldin (lower is better) and the adjusted Rand
// index against known labels (the evaluation's planted segments). Noise labels (< 0, DBSCAN's) are left out.
import { dist2, type Matrix } from "./vector";

/** Mean silhouette coefficient over the labelled points (exact, O(n²): callers pass a sample). */
export function silhouette(points: Matrix, assign: readonly number[], k: number): number {
  let total = 0;
  let n = 0;
  for (let i = 0; i < points.length; i++) {
    const own = assign[i]!;
    if (own < 0) continue;
    const sum = new Array<number>(k).fill(0);
    const cnt = new Array<number>(k).fill(0);
    for (let j = 0; j < points.length; j++) {
      const a = assign[j]!;
      if (i === j || a < 0) continue;
      sum[a]! += Math.sqrt(dist2(points[i]!, points[j]!));
      cnt[a]!++;
    }
    n++;
    // A point alone in its cluster scores 0 (Rousseeuw's convention).
    if (cnt[own] === 0) continue;
    const a = sum[own]! / cnt[own]!;
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && cnt[c]! > 0) b = Math.min(b, sum[c]! / cnt[c]!);
    if (b === Infinity) continue;
    const m = Math.max(a, b);
    if (m > 0) total += (b - a) / m;
  }
  return n ? total / n : 0;
}

/** Davies-Bouldin index: mean over clusters of the worst (scatter_i + scatter_j) / distance(centroid_i, centroid_j). */
export function daviesBouldin(points: Matrix, assign: readonly number[], centroids: Matrix): number {
  const k = centroids.length;
  const scatter = new Array<number>(k).fill(0);
  const cnt = new Array<number>(k).fill(0);
  points.forEach((p, i) => {
    const a = assign[i]!;
    if (a < 0) return;
    scatter[a]! += Math.sqrt(dist2(p, centroids[a]!));
    cnt[a]!++;
  });
  const s = scatter.map((v, c) => (cnt[c]! ? v / cnt[c]! : 0));
  let total = 0;
  let used = 0;
  for (let i = 0; i < k; i++) {
    if (!cnt[i]) continue;
    let worst = 0;
    for (let j = 0; j < k; j++) {
      if (i === j || !cnt[j]) continue;
      const m = Math.sqrt(dist2(centroids[i]!, centroids[j]!));
      if (m > 0) worst = Math.max(worst, (s[i]! + s[j]!) / m);
    }
    total += worst;
    used++;
  }
  return used ? total / used : 0;
}

const choose2 = (n: number) => (n * (n - 1)) / 2;

/**
 * Adjusted Rand index of two labelings of the same points (Hubert & Arabie 1985): 1 for identical partitions up to
 * renaming, about 0 for chance agreement. Labels may be any strings or numbers.
 */
export function adjustedRand(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  if (a.length !== b.length) throw new Error("adjustedRand: labelings differ in length");
  const table = new Map<string, number>();
  const rows = new Map<string | number, number>();
  const cols = new Map<string | number, number>();
  a.forEach((x, i) => {
    const y = b[i]!;
    const key = `${typeof x}:${x}\u0000${typeof y}:${y}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    cols.set(y, (cols.get(y) ?? 0) + 1);
  });
  let index = 0;
  for (const n of table.values()) index += choose2(n);
  let sumA = 0;
  for (const n of rows.values()) sumA += choose2(n);
  let sumB = 0;
  for (const n of cols.values()) sumB += choose2(n);
  const total = choose2(a.length);
  if (total === 0) return 1;
  const expected = (sumA * sumB) / total;
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
