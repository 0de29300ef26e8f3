// Visitor segments: k-means++ over standardised behavioural features, k chosen by silhouette (Davies-Bouldin
// reported too), each segment described in words. The model is plain JSON (stored in KV); assignment at request
// time is a nearest-centroid lookup. Per-segment favourites: segment-favourites.ts.
import { SEGMENT_FEATURE_TYPES, type EventType } from "../schemas/event-types";
import { seededRandom } from "./random";

/** A visitor's behaviour summary (what the Worker reads from D1; storage/personal-repo.ts ProfileSummary). */
export type BehaviourSummary = {
  lastSeen: number;
  eventCount: number;
  /** Events per type; only the segment-feature types (event-type table) are read. */
  counts: Partial<Record<EventType, number>>;
  categoryCounts: Record<string, number>;
  deviceCounts: Record<string, number>;
  /** 24 counts by UTC hour. */
  hourCounts: readonly number[];
};

/** A trained segmentation: plain JSON, stored with the model version and read at request time. */
export type SegmentModel = {
  k: number;
  featureNames: string[];
  /** The categories that get a share feature (the most common ones at training time). */
  categories: string[];
  mean: number[];
  std: number[];
  /** Centroids in standardised space. */
  centroids: number[][];
  sizes: number[];
  descriptions: string[];
  silhouette: number;
  daviesBouldin: number;
  /** Silhouette per tried k, for the report. */
  tried: { k: number; silhouette: number; daviesBouldin: number }[];
};

const DEVICES = ["mobile", "desktop", "tablet"];
const DAYPARTS = ["night", "morning", "afternoon", "evening"];
const DAY = 86_400_000;

/** Names of the feature vector's columns, in order (categories are the model's share-feature categories). */
export function featureNames(categories: readonly string[]): string[] {
  return [
    "recency",
    "frequency",
    ...SEGMENT_FEATURE_TYPES.map((t) => `${t} share`),
    ...categories.map((c) => `${c} share`),
    ...DEVICES.map((d) => `${d} share`),
    ...DAYPARTS.map((p) => `${p} share`),
  ];
}

/** Raw (unstandardised) features: log recency in days, log frequency, then shares in [0, 1]. */
export function features(s: BehaviourSummary, categories: readonly string[], now: number): number[] {
  const total = Math.max(1, s.eventCount);
  const catTotal = Math.max(1, Object.values(s.categoryCounts).reduce((a, b) => a + b, 0));
  const devTotal = Math.max(1, Object.values(s.deviceCounts).reduce((a, b) => a + b, 0));
  const hourTotal = Math.max(1, s.hourCounts.reduce((a, b) => a + b, 0));
  const part = (from: number, to: number) => s.hourCounts.slice(from, to).reduce((a, b) => a + b, 0) / hourTotal;
  return [
    Math.log1p(Math.max(0, now - s.lastSeen) / DAY),
    Math.log1p(s.eventCount),
    ...SEGMENT_FEATURE_TYPES.map((t) => (s.counts[t] ?? 0) / total),
    ...categories.map((c) => (s.categoryCounts[c] ?? 0) / catTotal),
    ...DEVICES.map((d) => (s.deviceCounts[d] ?? 0) / devTotal),
    part(0, 6),
    part(6, 12),
    part(12, 18),
    part(18, 24),
  ];
}

function dist2(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

function nearest(x: readonly number[], centroids: readonly number[][]): number {
  let best = 0;
  let bestD = Infinity;
  centroids.forEach((c, i) => {
    const d = dist2(x, c);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** k-means with k-means++ seeding; returns centroids and assignments. */
export function kmeans(points: readonly number[][], k: number, seed = 1, iterations = 50): { centroids: number[][]; assign: number[] } {
  const rand = seededRandom(seed);
  const centroids: number[][] = [points[Math.floor(rand() * points.length)]!.slice()];
  const d = points.map((p) => dist2(p, centroids[0]!));
  while (centroids.length < k) {
    const total = d.reduce((a, b) => a + b, 0);
    let r = rand() * total;
    let pick = 0;
    for (; pick < points.length - 1; pick++) {
      r -= d[pick]!;
      if (r <= 0) break;
    }
    centroids.push(points[pick]!.slice());
    points.forEach((p, i) => (d[i] = Math.min(d[i]!, dist2(p, centroids.at(-1)!))));
  }
  let assign = points.map((p) => nearest(p, centroids));
  for (let it = 0; it < iterations; it++) {
    const sums = centroids.map((c) => c.map(() => 0));
    const counts = centroids.map(() => 0);
    points.forEach((p, i) => {
      counts[assign[i]!]!++;
      p.forEach((v, j) => (sums[assign[i]!]![j]! += v));
    });
    sums.forEach((s, c) => {
      if (counts[c]! > 0) centroids[c] = s.map((v) => v / counts[c]!);
    });
    const next = points.map((p) => nearest(p, centroids));
    const same = next.every((a, i) => a === assign[i]);
    assign = next;
    if (same) break;
  }
  return { centroids, assign };
}

/** Mean silhouette coefficient (exact; callers pass a sample for large sets). */
export function silhouette(points: readonly number[][], assign: readonly number[], k: number): number {
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const sum = new Array<number>(k).fill(0);
    const cnt = new Array<number>(k).fill(0);
    for (let j = 0; j < points.length; j++) {
      if (i === j) continue;
      sum[assign[j]!]! += Math.sqrt(dist2(points[i]!, points[j]!));
      cnt[assign[j]!]!++;
    }
    const own = assign[i]!;
    if (cnt[own] === 0) continue;
    const a = sum[own]! / cnt[own]!;
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && cnt[c]! > 0) b = Math.min(b, sum[c]! / cnt[c]!);
    if (b === Infinity) continue;
    total += (b - a) / Math.max(a, b);
  }
  return points.length ? total / points.length : 0;
}

/** Davies-Bouldin index: lower is better. */
export function daviesBouldin(points: readonly number[][], assign: readonly number[], centroids: readonly number[][]): number {
  const k = centroids.length;
  const scatter = centroids.map(() => 0);
  const cnt = centroids.map(() => 0);
  points.forEach((p, i) => {
    scatter[assign[i]!]! += Math.sqrt(dist2(p, centroids[assign[i]!]!));
    cnt[assign[i]!]!++;
  });
  const s = scatter.map((v, c) => (cnt[c]! ? v / cnt[c]! : 0));
  let total = 0;
  for (let i = 0; i < k; i++) {
    let worst = 0;
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const m = Math.sqrt(dist2(centroids[i]!, centroids[j]!));
      if (m > 0) worst = Math.max(worst, (s[i]! + s[j]!) / m);
    }
    total += worst;
  }
  return k ? total / k : 0;
}

/** Standardises raw feature rows (zero mean, unit variance per column; constant columns stay 0). */
export function standardise(rows: readonly number[][]): { mean: number[]; std: number[]; z: number[][] } {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) r.forEach((v, j) => (mean[j]! += v));
  for (let j = 0; j < d; j++) mean[j]! /= rows.length || 1;
  for (const r of rows) r.forEach((v, j) => (std[j]! += (v - mean[j]!) ** 2 / rows.length));
  // A column that is constant up to rounding would otherwise blow rounding noise up to whole standard deviations.
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) > 1e-9 * (1 + Math.abs(mean[j]!)) ? Math.sqrt(std[j]!) : 1;
  return { mean, std, z: rows.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!)) };
}

/**
 * The features that set a centroid apart (|z| > 0.5, strongest first), in words: "high mobile share (0.92 vs 0.41),
 * low recency (…)". With `mean`/`std` each feature also shows the segment's raw value against the overall mean.
 */
export function describeCentroid(centroid: readonly number[], names: readonly string[], mean?: readonly number[], std?: readonly number[]): string {
  const notable = centroid
    .map((z, j) => ({ z, j, name: names[j]! }))
    .filter((f) => Math.abs(f.z) > 0.5)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
    .slice(0, 4)
    .map((f) => {
      const words = `${f.z > 0 ? "high" : "low"} ${f.name}`;
      if (!mean || !std) return words;
      const raw = mean[f.j]! + f.z * std[f.j]!;
      return `${words} (${fmt(raw)} vs ${fmt(mean[f.j]!)})`;
    });
  return notable.length ? notable.join(", ") : "average on every feature";
}

function fmt(x: number): string {
  return Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(2);
}

/** k range for the silhouette search, the k-means++ seed, and the silhouette sample size. */
export type TrainSegmentsOptions = { kMin?: number; kMax?: number; seed?: number; silhouetteSample?: number };

/**
 * Chooses k by silhouette over [kMin, kMax] (default 2..6) and returns the model plus each row's segment, or null
 * with fewer than 4 summaries. Deterministic for a given seed.
 */
export function trainSegments(
  summaries: readonly BehaviourSummary[],
  categories: readonly string[],
  now: number,
  opts: TrainSegmentsOptions = {},
): { model: SegmentModel; assign: number[] } | null {
  const names = featureNames(categories);
  const raw = summaries.map((s) => features(s, categories, now));
  if (raw.length < 4) return null;
  const { mean, std, z } = standardise(raw);
  const kMax = Math.min(opts.kMax ?? 6, raw.length - 1);
  const sampleSize = opts.silhouetteSample ?? 600;
  const step = Math.max(1, Math.floor(z.length / sampleSize));
  const sampleIdx = z.map((_, i) => i).filter((i) => i % step === 0).slice(0, sampleSize);
  let best: { k: number; centroids: number[][]; assign: number[]; sil: number; db: number } | null = null;
  const tried: SegmentModel["tried"] = [];
  for (let k = opts.kMin ?? 2; k <= kMax; k++) {
    const { centroids, assign } = kmeans(z, k, opts.seed ?? 1);
    const sil = silhouette(sampleIdx.map((i) => z[i]!), sampleIdx.map((i) => assign[i]!), k);
    const db = daviesBouldin(z, assign, centroids);
    tried.push({ k, silhouette: round(sil), daviesBouldin: round(db) });
    if (!best || sil > best.sil) best = { k, centroids, assign, sil, db };
  }
  if (!best) return null;
  const sizes = best.centroids.map((_, c) => best!.assign.filter((a) => a === c).length);
  return {
    model: {
      k: best.k,
      featureNames: names,
      categories: [...categories],
      mean,
      std,
      centroids: best.centroids,
      sizes,
      descriptions: best.centroids.map((c) => describeCentroid(c, names, mean, std)),
      silhouette: round(best.sil),
      daviesBouldin: round(best.db),
      tried,
    },
    assign: best.assign,
  };
}

/** The visitor's segment at request time: nearest centroid of their standardised features. */
export function assignSegment(s: BehaviourSummary, model: SegmentModel, now: number): number {
  const x = features(s, model.categories, now).map((v, j) => (v - model.mean[j]!) / model.std[j]!);
  return nearest(x, model.centroids);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
