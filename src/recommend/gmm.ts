// Gaussian mixture with diagonal covariances, fitted by EM from a k-means start; BIC picks the number of components.
// Diagonal keeps it O(n·k·d) per iteration and its parameters few enough for a few thousand visitors.
import { kmeans } from "./kmeans";
import { groupMeans, type Matrix } from "./vector";

export type GmmModel = { weights: number[]; means: number[][]; variances: number[][] };
export type GmmResult = { model: GmmModel; assign: number[]; logLikelihood: number; bic: number };

/**
 * A component's variance never falls below this share of the column's overall variance. Behaviour features are
 * shares with many exact repeats (0, 1, 0.5): with a tiny floor a component collapses onto one repeated value,
 * its likelihood explodes and BIC keeps adding components (on the planted demo an absolute floor of 1e-3 chose
 * k = 8 with ARI 0.74; this relative floor chooses k = 6 with ARI 0.85; `npm run eval -- --protocol segments`).
 */
export const GMM_VARIANCE_FLOOR_SHARE = 0.2;
const LOG_2PI = Math.log(2 * Math.PI);

function logDensities(x: readonly number[], m: GmmModel): number[] {
  return m.means.map((mu, c) => {
    let s = Math.log(m.weights[c]! || 1e-300);
    const v = m.variances[c]!;
    for (let j = 0; j < x.length; j++) s -= 0.5 * (LOG_2PI + Math.log(v[j]!) + (x[j]! - mu[j]!) ** 2 / v[j]!);
    return s;
  });
}

function logSumExp(xs: readonly number[]): number {
  const max = Math.max(...xs);
  if (max === -Infinity) return max;
  let s = 0;
  for (const x of xs) s += Math.exp(x - max);
  return max + Math.log(s);
}

/** The most probable component of one point. */
export function gmmPredict(x: readonly number[], m: GmmModel): number {
  const d = logDensities(x, m);
  let best = 0;
  for (let c = 1; c < d.length; c++) if (d[c]! > d[best]!) best = c;
  return best;
}

/** EM for `k` diagonal components; deterministic for a seed. */
export function fitGmm(points: Matrix, k: number, opts: { seed?: number; iterations?: number; tolerance?: number } = {}): GmmResult {
  const n = points.length;
  const d = points[0]?.length ?? 0;
  const start = kmeans(points, k, { seed: opts.seed ?? 1, restarts: 2 });
  const colMean = new Array<number>(d).fill(0);
  for (const p of points) for (let j = 0; j < d; j++) colMean[j]! += p[j]! / Math.max(1, n);
  const floor = new Array<number>(d).fill(0);
  for (const p of points) for (let j = 0; j < d; j++) floor[j]! += (p[j]! - colMean[j]!) ** 2 / Math.max(1, n);
  for (let j = 0; j < d; j++) floor[j] = Math.max(1e-6, GMM_VARIANCE_FLOOR_SHARE * floor[j]!);
  const model: GmmModel = { weights: new Array<number>(k).fill(1 / k), means: start.centroids, variances: [] };
  const varianceOf = (resp: readonly (readonly number[])[], nk: readonly number[]) =>
    model.means.map((mu, c) => {
      const v = new Array<number>(d).fill(0);
      points.forEach((p, i) => {
        const r = resp[i]![c]!;
        if (r === 0) return;
        for (let j = 0; j < d; j++) v[j]! += r * (p[j]! - mu[j]!) ** 2;
      });
      return v.map((x, j) => Math.max(floor[j]!, nk[c]! > 0 ? x / nk[c]! : 1));
    });
  const hard = points.map((_, i) => Array.from({ length: k }, (_, c) => (start.assign[i] === c ? 1 : 0)));
  const nk0 = Array.from({ length: k }, (_, c) => start.assign.filter((a) => a === c).length);
  model.weights = nk0.map((x) => Math.max(x, 1e-9) / n);
  model.variances = varianceOf(hard, nk0);
  let logL = -Infinity;
  let resp: number[][] = hard;
  for (let it = 0; it < (opts.iterations ?? 100); it++) {
    // E step
    let ll = 0;
    resp = points.map((p) => {
      const lp = logDensities(p, model);
      const z = logSumExp(lp);
      ll += z;
      return lp.map((x) => Math.exp(x - z));
    });
    // M step
    const nk = Array.from({ length: k }, (_, c) => resp.reduce((s, r) => s + r[c]!, 0));
    model.weights = nk.map((x) => Math.max(x, 1e-9) / n);
    model.means = model.means.map((mu, c) => {
      if (nk[c]! <= 1e-9) return mu;
      const m = new Array<number>(d).fill(0);
      points.forEach((p, i) => {
        const r = resp[i]![c]!;
        for (let j = 0; j < d; j++) m[j]! += r * p[j]!;
      });
      return m.map((x) => x / nk[c]!);
    });
    model.variances = varianceOf(resp, nk);
    const done = Math.abs(ll - logL) < (opts.tolerance ?? 1e-4) * Math.max(1, Math.abs(ll));
    logL = ll;
    if (done) break;
  }
  const assign = points.map((p) => gmmPredict(p, model));
  // Free parameters: k·d means, k·d variances, k−1 weights.
  const params = k * 2 * d + (k - 1);
  return { model, assign, logLikelihood: logL, bic: -2 * logL + params * Math.log(Math.max(1, n)) };
}

/** Hard-assignment centroids of a fitted mixture (its means, or the members' means where a component is empty). */
export function gmmCentroids(points: Matrix, r: GmmResult): number[][] {
  return groupMeans(points, r.assign, r.model.means.length, r.model.means);
}
