// DBSCAN (Ester et al. 1996) over scaled features: density-connected clusters, the rest noise (label -1). eps is
// chosen from the sorted k-distance curve when not given. O(n²): callers cluster the capped sample only.
import { dist2, type Matrix } from "./vector";

export type DbscanResult = { assign: number[]; clusters: number; noise: number; eps: number };

/**
 * The `quantile` of each point's distance to its `minPts`-th neighbour: a common eps heuristic (the knee of the
 * k-distance plot sits near the upper quantiles when most points are in clusters).
 */
export function kDistanceEps(points: Matrix, minPts: number, quantile = 0.9): number {
  return epsAt(kDistances(points, minPts), quantile);
}

/** Each point's distance to its `minPts`-th nearest neighbour (itself excluded), ascending: the k-distance curve. */
export function kDistances(points: Matrix, minPts: number): number[] {
  const kd = points.map((p) => {
    const ds = points.map((q) => dist2(p, q)).sort((a, b) => a - b);
    return Math.sqrt(ds[Math.min(minPts, ds.length - 1)] ?? 0);
  });
  return kd.sort((a, b) => a - b);
}

/** The curve's value at a quantile. */
export function epsAt(curve: readonly number[], quantile: number): number {
  return curve[Math.min(curve.length - 1, Math.floor(quantile * curve.length))] ?? 0;
}

export function dbscan(points: Matrix, opts: { minPts: number; eps?: number }): DbscanResult {
  const n = points.length;
  const eps = opts.eps ?? kDistanceEps(points, opts.minPts);
  // Compared as distances, the way kDistances computes them: eps is some point's k-distance, and squaring it back
  // does not always round-trip, so a point at exactly eps was core or noise at the whim of the last bit (a retrain
  // seconds later, with recency features a hair different, then found other clusters on the same visitors).
  const neighbours = (i: number) => {
    const out: number[] = [];
    for (let j = 0; j < n; j++) if (Math.sqrt(dist2(points[i]!, points[j]!)) <= eps) out.push(j);
    return out;
  };
  const UNSEEN = -2;
  const assign = new Array<number>(n).fill(UNSEEN);
  let cluster = 0;
  for (let i = 0; i < n; i++) {
    if (assign[i] !== UNSEEN) continue;
    const seeds = neighbours(i);
    if (seeds.length < opts.minPts) {
      assign[i] = -1;
      continue;
    }
    assign[i] = cluster;
    const queue = seeds.filter((j) => j !== i);
    for (let q = 0; q < queue.length; q++) {
      const j = queue[q]!;
      if (assign[j] === -1) assign[j] = cluster; // a border point
      if (assign[j] !== UNSEEN) continue;
      assign[j] = cluster;
      const more = neighbours(j);
      if (more.length >= opts.minPts) for (const m of more) if (assign[m] === UNSEEN || assign[m] === -1) queue.push(m);
    }
    cluster++;
  }
  return { assign, clusters: cluster, noise: assign.filter((a) => a === -1).length, eps };
}
