import { describe, expect, it } from "vitest";
import { adjustedRand, daviesBouldin, silhouette } from "../../../src/recommend/cluster-quality";
import { dbscan } from "../../../src/recommend/dbscan";
import { fitTree, predictTree } from "../../../src/recommend/decision-tree";
import { fitGmm, gmmPredict } from "../../../src/recommend/gmm";
import { kmeans } from "../../../src/recommend/kmeans";
import { fitPca, project } from "../../../src/recommend/pca";
import { matchSegmentIds } from "../../../src/recommend/segment-matching";

/** Deterministic jitter so the blobs are not single points. */
function jitter(i: number, j: number): number {
  return (((i * 7919 + j * 104729) % 1000) / 1000 - 0.5) * 0.6;
}
const centres = [
  [0, 0],
  [10, 0],
  [0, 10],
  [10, 10],
];
const points = centres.flatMap((c, b) => Array.from({ length: 25 }, (_, i) => [c[0]! + jitter(i, b), c[1]! + jitter(b, i)]));
const truth = centres.flatMap((_, b) => Array.from({ length: 25 }, () => b));

describe("cluster quality", () => {
  it("silhouette: two points per cluster at distance 1, clusters 10 apart (known answer)", () => {
    const pts = [[0], [1], [10], [11]];
    // a = 1, b = mean(10, 11) = 10.5 for [0] → 1 − 1/10.5; by symmetry every point scores (b − a) / b with b ∈ {10.5, 9.5}.
    const expected = ((1 - 1 / 10.5) + (1 - 1 / 9.5) + (1 - 1 / 9.5) + (1 - 1 / 10.5)) / 4;
    expect(silhouette(pts, [0, 0, 1, 1], 2)).toBeCloseTo(expected, 10);
  });

  it("Davies-Bouldin: scatter 0.5 each, centroids 10 apart → (0.5 + 0.5) / 10", () => {
    expect(daviesBouldin([[0], [1], [10], [11]], [0, 0, 1, 1], [[0.5], [10.5]])).toBeCloseTo(0.1, 10);
  });

  it("adjusted Rand index: 1 for a renaming, the textbook value for a partial match, about 0 for chance", () => {
    expect(adjustedRand([0, 0, 1, 1], ["b", "b", "a", "a"])).toBe(1);
    // sklearn's documented example: adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) = 0.5714…
    expect(adjustedRand([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.5714285714, 8);
    expect(adjustedRand([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 10);
  });
});

describe("k-means", () => {
  it("recovers four separated blobs (ARI 1), silhouette peaking and Davies-Bouldin bottoming at k = 4", () => {
    const scores = [2, 3, 4, 5, 6].map((k) => {
      const { centroids, assign } = kmeans(points, k, { seed: 7 });
      return { k, sil: silhouette(points, assign, k), db: daviesBouldin(points, assign, centroids), assign };
    });
    const bestSil = scores.reduce((a, b) => (b.sil > a.sil ? b : a));
    const bestDb = scores.reduce((a, b) => (b.db < a.db ? b : a));
    expect(bestSil.k).toBe(4);
    expect(bestDb.k).toBe(4);
    expect(adjustedRand(truth, bestSil.assign)).toBe(1);
  });

  it("is deterministic for a seed, and a warm start from converged centres changes nothing", () => {
    const a = kmeans(points, 4, { seed: 3 });
    expect(kmeans(points, 4, { seed: 3 })).toEqual(a);
    expect(kmeans(points, 4, { init: a.centroids }).assign).toEqual(a.assign);
  });
});

describe("Gaussian mixture", () => {
  it("BIC is lowest at the planted number of components and the mixture recovers them", () => {
    const bics = [2, 3, 4, 5, 6].map((k) => ({ k, r: fitGmm(points, k, { seed: 2 }) }));
    const best = bics.reduce((a, b) => (b.r.bic < a.r.bic ? b : a));
    expect(best.k).toBe(4);
    expect(adjustedRand(truth, best.r.assign)).toBe(1);
    expect(gmmPredict([10, 10], best.r.model)).toBe(best.r.assign[75]);
  });

  it("one component's BIC is −2 log L + (2d) ln n (known answer for the single Gaussian)", () => {
    const pts = [[-1], [1], [-1], [1]];
    const r = fitGmm(pts, 1);
    // Mean 0, variance 1: log L = 4 · (−½ ln 2π − ½); parameters = 2 (mean, variance), n = 4.
    const logL = 4 * (-0.5 * Math.log(2 * Math.PI) - 0.5);
    expect(r.logLikelihood).toBeCloseTo(logL, 6);
    expect(r.bic).toBeCloseTo(-2 * logL + 2 * Math.log(4), 6);
  });
});

describe("DBSCAN", () => {
  it("finds the blobs with the outlier as noise", () => {
    const r = dbscan([...points, [50, 50]], { minPts: 4, eps: 1.5 });
    expect(r.clusters).toBe(4);
    expect(r.assign.at(-1)).toBe(-1);
    expect(r.noise).toBe(1);
    expect(adjustedRand(truth, r.assign.slice(0, -1))).toBe(1);
  });
});

describe("PCA", () => {
  it("points on a line: the first component is the line, explaining all the variance", () => {
    const line = Array.from({ length: 10 }, (_, i) => [i, 2 * i, 0]);
    const p = fitPca(line);
    const norm = Math.hypot(1, 2);
    expect(p.components[0][0]).toBeCloseTo(1 / norm, 6);
    expect(p.components[0][1]).toBeCloseTo(2 / norm, 6);
    expect(p.explained[0]).toBeCloseTo(1, 6);
    expect(p.explained[1]).toBeCloseTo(0, 6);
    expect(project([0, 0, 0], p).x).toBeCloseTo(-4.5 * norm, 6);
  });
});

describe("decision tree", () => {
  it("splits on the informative column and gives it all the importance", () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 2, (i * 37) % 11]);
    const labels = rows.map((r) => r[0]!);
    const tree = fitTree(rows, labels, { classes: 2, minLeaf: 2 });
    expect(tree.importance).toEqual([1, 0]);
    expect(predictTree(tree, [1, 5])).toBe(1);
    expect(predictTree(tree, [0, 5])).toBe(0);
  });
});

describe("stable segment ids", () => {
  it("a renamed but identical partition keeps every old id", () => {
    const prev = [5, 5, 7, 7, 9, 9];
    const next = [2, 2, 0, 0, 1, 1];
    expect(matchSegmentIds(prev, next, 3, 10)).toEqual({ ids: [7, 9, 5], nextFreeId: 10 });
  });

  it("a new cluster gets a fresh id; one-to-one, so a split keeps the old id on the bigger half", () => {
    const prev = [1, 1, 1, 1, 1, 2, 2, null, null];
    const next = [0, 0, 0, 1, 1, 2, 2, 3, 3];
    const { ids, nextFreeId } = matchSegmentIds(prev, next, 4, 3);
    expect(ids).toEqual([1, 3, 2, 4]);
    expect(nextFreeId).toBe(5);
  });
});
