// k-means (Lloyd's iterations) with k-means++ seeding, a few seeded restarts keeping the lowest inertia, or a warm
// start from given centres (the previous model's, so an unchanged population keeps its clusters).
import { seededRandom } from "./random";
import { dist2, groupMeans, nearest, type Matrix } from "./vector";

export type KMeansResult = { centroids: number[][]; assign: number[]; inertia: number };
export type KMeansOptions = { seed?: number; iterations?: number; restarts?: number; init?: Matrix };

function plusPlus(points: Matrix, k: number, rand: () => number): number[][] {
  const centroids: number[][] = [points[Math.floor(rand() * points.length)]!.slice()];
  const d = points.map((p) => dist2(p, centroids[0]!));
  while (centroids.length < k) {
    const total = d.reduce((a, b) => a + b, 0);
    let pick = 0;
    if (total > 0) {
      let r = rand() * total;
      for (; pick < points.length - 1; pick++) {
        r -= d[pick]!;
        if (r <= 0) break;
      }
    }
    centroids.push(points[pick]!.slice());
    const c = centroids.at(-1)!;
    points.forEach((p, i) => (d[i] = Math.min(d[i]!, dist2(p, c))));
  }
  return centroids;
}

function lloyd(points: Matrix, start: number[][], iterations: number): KMeansResult {
  let centroids = start;
  let assign = points.map((p) => nearest(p, centroids));
  for (let it = 0; it < iterations; it++) {
    centroids = groupMeans(points, assign, centroids.length, centroids);
    const next = points.map((p) => nearest(p, centroids));
    const same = next.every((a, i) => a === assign[i]);
    assign = next;
    if (same) break;
  }
  const inertia = points.reduce((s, p, i) => s + dist2(p, centroids[assign[i]!]!), 0);
  return { centroids, assign, inertia };
}

/** Deterministic for a seed; with `init` (k rows) one warm run from those centres instead of the seeded restarts. */
export function kmeans(points: Matrix, k: number, opts: KMeansOptions = {}): KMeansResult {
  const iterations = opts.iterations ?? 100;
  if (opts.init) return lloyd(points, opts.init.map((c) => c.slice()), iterations);
  const rand = seededRandom(opts.seed ?? 1);
  let best: KMeansResult | null = null;
  for (let r = 0; r < (opts.restarts ?? 4); r++) {
    const run = lloyd(points, plusPlus(points, k, rand), iterations);
    if (!best || run.inertia < best.inertia - 1e-9) best = run;
  }
  return best!;
}
