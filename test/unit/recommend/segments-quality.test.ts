import { describe, expect, it } from "vitest";
import {
  assignSegment,
  daviesBouldin,
  features,
  featureNames,
  kmeans,
  silhouette,
  trainSegments,
  type BehaviourSummary,
  type SegmentModel,
} from "../../../src/recommend/segments";

const DAY = 86_400_000;

/** Deterministic jitter so the blobs are not single points. */
function jitter(i: number, j: number): number {
  return (((i * 7919 + j * 104729) % 1000) / 1000 - 0.5) * 0.6;
}

describe("k-means quality scores", () => {
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
    [10, 10],
  ];
  const points = centres.flatMap((c, b) => Array.from({ length: 25 }, (_, i) => [c[0]! + jitter(i, b), c[1]! + jitter(b, i)]));

  it("silhouette peaks and Davies-Bouldin bottoms out at the planted k on separated blobs", () => {
    const scores = [2, 3, 4, 5, 6].map((k) => {
      const { centroids, assign } = kmeans(points, k, 7);
      return { k, sil: silhouette(points, assign, k), db: daviesBouldin(points, assign, centroids) };
    });
    const bestSil = scores.reduce((a, b) => (b.sil > a.sil ? b : a));
    const bestDb = scores.reduce((a, b) => (b.db < a.db ? b : a));
    expect(bestSil.k).toBe(4);
    expect(bestSil.sil).toBeGreaterThan(0.9);
    expect(bestDb.k).toBe(4);
  });

  it("is deterministic for a seed", () => {
    expect(kmeans(points, 4, 3)).toEqual(kmeans(points, 4, 3));
  });
});

describe("segment assignment", () => {
  it("picks the nearest centroid in standardised feature space", () => {
    const categories = ["shoes"];
    const names = featureNames(categories);
    const zero = names.map(() => 0);
    const model: SegmentModel = {
      k: 2,
      featureNames: names,
      categories,
      mean: zero,
      std: names.map(() => 1),
      // Centroid 0: mobile share 1; centroid 1: desktop share 1 (everything else 0).
      centroids: [names.map((n) => (n === "mobile share" ? 1 : 0)), names.map((n) => (n === "desktop share" ? 1 : 0))],
      sizes: [1, 1],
      descriptions: ["", ""],
      silhouette: 0,
      daviesBouldin: 0,
      tried: [],
    };
    const visitor = (device: string): BehaviourSummary => ({
      lastSeen: 0,
      eventCount: 0,
      counts: {},
      categoryCounts: {},
      deviceCounts: { [device]: 3 },
      hourCounts: new Array<number>(24).fill(0),
    });
    expect(features(visitor("mobile"), categories, 0)).toEqual(names.map((n) => (n === "mobile share" ? 1 : 0)));
    expect(assignSegment(visitor("mobile"), model, 0)).toBe(0);
    expect(assignSegment(visitor("desktop"), model, 0)).toBe(1);
  });

  it("describes each planted segment by what sets it apart, with the raw values", () => {
    const make = (device: string, cat: string, hour: number, purchases: number): BehaviourSummary => ({
      lastSeen: 10 * DAY,
      eventCount: 10,
      counts: { view: 10 - purchases, purchase: purchases },
      categoryCounts: { [cat]: 10 },
      deviceCounts: { [device]: 10 },
      hourCounts: Array.from({ length: 24 }, (_, h) => (h === hour ? 10 : 0)),
    });
    const rows: BehaviourSummary[] = [];
    for (let i = 0; i < 15; i++) rows.push(make("mobile", "shoes", 20, 0), make("desktop", "tents", 10, 4));
    const a = trainSegments(rows, ["shoes", "tents"], 10 * DAY, { seed: 5 })!;
    expect(a.model.k).toBe(2);
    expect(trainSegments(rows, ["shoes", "tents"], 10 * DAY, { seed: 5 })).toEqual(a);
    const mobile = a.assign[0]!;
    expect(a.model.descriptions[mobile]).toMatch(/high mobile share \(1\.00 vs 0\.50\)/);
    expect(a.model.descriptions[1 - mobile]).toMatch(/high purchase share \(0\.40 vs 0\.20\)/);
    expect(a.model.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6]);
  });
});
