// Principal component analysis for the segments' 2-D scatter plot: the top two eigenvectors of the covariance
// matrix by power iteration with deflation (d is a few dozen features, so a d×d matrix is cheap).
import { seededRandom } from "./random";
import type { Matrix } from "./vector";

export type Pca = { mean: number[]; components: [number[], number[]]; explained: [number, number] };

function powerIteration(cov: number[][], seed: number): { vector: number[]; value: number } {
  const d = cov.length;
  const rand = seededRandom(seed);
  let v = Array.from({ length: d }, () => rand() - 0.5);
  let value = 0;
  for (let it = 0; it < 300; it++) {
    const w = cov.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
    const norm = Math.hypot(...w);
    if (norm < 1e-12) return { vector: v.map(() => 0), value: 0 };
    const next = w.map((x) => x / norm);
    const delta = next.reduce((s, x, j) => s + Math.abs(x - v[j]!), 0);
    v = next;
    value = norm;
    if (delta < 1e-10) break;
  }
  // A fixed sign (largest |coordinate| positive), so the plot does not flip between identical retrains.
  const big = v.reduce((b, x, j) => (Math.abs(x) > Math.abs(v[b]!) ? j : b), 0);
  if (v[big]! < 0) v = v.map((x) => -x);
  return { vector: v, value };
}

/** Fits the two leading components; `explained` is each one's share of the total variance. */
export function fitPca(points: Matrix, seed = 1): Pca {
  const n = points.length;
  const d = points[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  for (const p of points) for (let j = 0; j < d; j++) mean[j]! += p[j]! / n;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const p of points) {
    for (let a = 0; a < d; a++) {
      const da = p[a]! - mean[a]!;
      for (let b = a; b < d; b++) cov[a]![b]! += (da * (p[b]! - mean[b]!)) / Math.max(1, n - 1);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a]![b] = cov[b]![a]!;
  const trace = cov.reduce((s, row, j) => s + row[j]!, 0);
  const first = powerIteration(cov, seed);
  const deflated = cov.map((row, a) => row.map((x, b) => x - first.value * first.vector[a]! * first.vector[b]!));
  const second = powerIteration(deflated, seed + 1);
  const share = (v: number) => (trace > 0 ? Math.max(0, v) / trace : 0);
  return { mean, components: [first.vector, second.vector], explained: [share(first.value), share(second.value)] };
}

export function project(x: readonly number[], p: Pca): { x: number; y: number } {
  let a = 0;
  let b = 0;
  for (let j = 0; j < x.length; j++) {
    const c = x[j]! - p.mean[j]!;
    a += c * p.components[0][j]!;
    b += c * p.components[1][j]!;
  }
  return { x: a, y: b };
}
