// Visitor segments: the retrain's segmentation and the request-time assignment. Features (segment-features.ts) are
// scaled and weighted; k-means over a range of k, a diagonal Gaussian mixture (its k by BIC) and DBSCAN are all
// tried and reported; the chosen one has the lowest Davies-Bouldin among those near the best silhouette (the previous
// model's centroids as they are, else a k-means warm-started from them, win within SEGMENT_WARM_TOLERANCE). Every
// candidate is scored on the partition it serves: each visitor at the nearest centroid, as assignSegment assigns at
// request time. Ids stay stable across retrains (segment-matching.ts); visitors with too little history get the
// "new visitor" segment. Plain JSON, stored with the model version.
import {
  SEGMENT_DBSCAN_EPS_QUANTILES,
  SEGMENT_DBSCAN_MIN_POINTS,
  SEGMENT_K_MAX,
  SEGMENT_K_MIN,
  SEGMENT_MAX_CATEGORIES,
  SEGMENT_MAX_COUNTRIES,
  SEGMENT_MIN_CLUSTER_SHARE,
  SEGMENT_MIN_EVENTS,
  SEGMENT_MIN_PROFILES,
  SEGMENT_PROJECTION_POINTS,
  SEGMENT_SILHOUETTE_BAND,
  SEGMENT_SILHOUETTE_SAMPLE,
  SEGMENT_WARM_TOLERANCE,
} from "../config/limits";
import { behaviourScores, SCORE_NAMES, type ScoreName } from "./behaviour-score";
import { daviesBouldin, silhouette } from "./cluster-quality";
import { dbscan, epsAt, kDistances } from "./dbscan";
import { fitGmm, gmmCentroids } from "./gmm";
import { kmeans } from "./kmeans";
import { fitPca, project } from "./pca";
import { contextReport, type ContextReport } from "./segment-context";
import { describeSegment, type Trait } from "./segment-descriptions";
import {
  applyScaler,
  chooseLayout,
  DEFAULT_FEATURE_WEIGHTS,
  featureColumns,
  fitScaler,
  rawFeatures,
  unscale,
  type BehaviourSummary,
  type FeatureGroup,
  type FeatureLayout,
  type Scaler,
  type Scaling,
} from "./segment-features";
import { matchSegmentIds } from "./segment-matching";
import { groupMeans, nearest, round4 } from "./vector";

export type { BehaviourSummary } from "./segment-features";

export const SEGMENT_METHODS = ["kmeans", "gmm", "dbscan"] as const;
export type SegmentMethod = (typeof SEGMENT_METHODS)[number];
/** The segment of visitors below the minimum evidence; behavioural segments are numbered from 1. */
export const NEW_VISITOR_SEGMENT = 0;

export type SegmentSettings = {
  scaling: Scaling;
  weights: Record<FeatureGroup, number>;
  minEvents: number;
  kMin: number;
  kMax: number;
  methods: SegmentMethod[];
  scoreWeights: Partial<Record<ScoreName, number>>;
};

/** What a site may set (site config `segments`); omitted fields keep the defaults. */
export type SegmentSettingsInput = {
  scaling?: Scaling;
  weights?: Partial<Record<FeatureGroup, number>>;
  minEvents?: number;
  kMin?: number;
  kMax?: number;
  methods?: SegmentMethod[];
  scoreWeights?: Partial<Record<ScoreName, number>>;
};

export function segmentSettings(input: SegmentSettingsInput = {}): SegmentSettings {
  return {
    scaling: input.scaling ?? "standard",
    weights: { ...DEFAULT_FEATURE_WEIGHTS, ...input.weights },
    minEvents: input.minEvents ?? SEGMENT_MIN_EVENTS,
    kMin: input.kMin ?? SEGMENT_K_MIN,
    kMax: input.kMax ?? SEGMENT_K_MAX,
    methods: input.methods ?? [...SEGMENT_METHODS],
    scoreWeights: input.scoreWeights ?? {},
  };
}

export type SegmentCandidate = {
  method: SegmentMethod;
  k: number;
  silhouette: number;
  daviesBouldin: number;
  /** Gaussian mixtures: the Bayesian information criterion (lower is better; it picks the mixture's k). */
  bic?: number;
  /** DBSCAN: eps and the share of points it left as noise (assigned to the nearest cluster afterwards). */
  eps?: number;
  noise?: number;
  warmStart?: boolean;
  /** The previous model's centroids unchanged (a retrain keeps them while they score within SEGMENT_WARM_TOLERANCE). */
  carried?: boolean;
  eligible: boolean;
  note?: string;
  chosen: boolean;
};

export type SegmentInfo = {
  id: number;
  size: number;
  share: number;
  description: string;
  /** False when no feature sets the segment apart: it is reported as such, not as a finding. */
  distinctive: boolean;
  traits: Trait[];
  /** Mean behavioural scores of the members (behaviour-score.ts). */
  scores: Record<ScoreName | "score", number>;
};

export type SegmentProjection = {
  points: { x: number; y: number; segment: number }[];
  centroids: { x: number; y: number; segment: number }[];
  explained: [number, number];
};

export type SegmentModel = {
  schema: 2;
  method: SegmentMethod;
  k: number;
  layout: FeatureLayout;
  featureNames: string[];
  scaler: Scaler;
  /** Centroids in scaled space, index-aligned with `segments`. */
  centroids: number[][];
  segments: SegmentInfo[];
  newVisitors: { id: typeof NEW_VISITOR_SEGMENT; size: number; minEvents: number; description: string };
  silhouette: number;
  daviesBouldin: number;
  candidates: SegmentCandidate[];
  selection: string;
  /**
   * How much structure the chosen silhouette shows (Kaufman & Rousseeuw's reading: under 0.25 none substantial,
   * 0.25-0.5 weak, 0.5-0.7 reasonable, above strong), so a report never sells a convenient partition as groups.
   */
  structure: { verdict: "none" | "weak" | "reasonable" | "strong"; words: string };
  /** The next fresh segment id (ids are never reused for a different group). */
  nextId: number;
  /** Profiles seen and profiles clustered (the capped sample). */
  profiles: number;
  clustered: number;
  projection: SegmentProjection;
  context: ContextReport | null;
  /** Against the previous model: clusters that kept an old id, and the share of visitors whose segment id held. */
  stability: { previous: boolean; matched: number; kept: number | null };
  settings: SegmentSettings;
};

export type TrainSegmentsOptions = {
  settings?: SegmentSettings;
  seed?: number;
  previous?: SegmentModel | null;
  /** All profiles of the site (the summaries passed are the capped sample); reported only. */
  profiles?: number;
};

type Fit = { candidate: SegmentCandidate; assign: number[]; centroids: number[][] };

function isModel(m: unknown): m is SegmentModel {
  return typeof m === "object" && m !== null && (m as { schema?: unknown }).schema === 2;
}

/** Mean and standard deviation per column. */
function moments(rows: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  const d = rows[0]?.length ?? 0;
  const n = Math.max(1, rows.length);
  const mean = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) std[j]! += (r[j]! - mean[j]!) ** 2 / n;
  return { mean, std: std.map(Math.sqrt) };
}

/** The previous model's centroids in this model's scaled space (columns matched by name; a new column reads as its offset). */
function carriedCentroids(previous: SegmentModel, scaler: Scaler): number[][] {
  return previous.centroids.map((c) => {
    const raw = unscale(c, previous.scaler);
    const byName = new Map(previous.scaler.names.map((n, j) => [n, raw[j]!]));
    return applyScaler(scaler.names.map((n, j) => byName.get(n) ?? scaler.offset[j]!), scaler);
  });
}

function smallestShare(assign: readonly number[], k: number): number {
  const sizes = new Array<number>(k).fill(0);
  for (const a of assign) if (a >= 0) sizes[a]!++;
  return Math.min(...sizes) / Math.max(1, assign.length);
}

/**
 * Trains the segmentation on `summaries` (at most SEGMENT_MAX_CLUSTERED: the caller samples). Returns the model
 * and each summary's segment id (NEW_VISITOR_SEGMENT below the minimum evidence), or null when fewer than
 * SEGMENT_MIN_PROFILES visitors have enough evidence. Deterministic for a given seed and input.
 */
export function trainSegments(summaries: readonly BehaviourSummary[], now: number, opts: TrainSegmentsOptions = {}): { model: SegmentModel; assign: number[] } | null {
  const settings = opts.settings ?? segmentSettings();
  const seed = opts.seed ?? 1;
  const previous = isModel(opts.previous) ? opts.previous : null;
  const evidenceIdx = summaries.map((s, i) => (s.eventCount >= settings.minEvents ? i : -1)).filter((i) => i >= 0);
  const evidence = evidenceIdx.map((i) => summaries[i]!);
  if (evidence.length < SEGMENT_MIN_PROFILES) return null;
  const n = evidence.length;

  const layout = chooseLayout(evidence, SEGMENT_MAX_CATEGORIES, SEGMENT_MAX_COUNTRIES);
  const columns = featureColumns(layout);
  const raw = evidence.map((s) => rawFeatures(s, layout, now));
  const scaler = fitScaler(raw, columns, settings);
  const z = raw.map((r) => applyScaler(r, scaler));
  const step = Math.max(1, Math.ceil(n / SEGMENT_SILHOUETTE_SAMPLE));
  const sample = z.map((_, i) => i).filter((i) => i % step === 0);
  const sampleZ = sample.map((i) => z[i]!);
  const minShare = Math.max(2 / n, SEGMENT_MIN_CLUSTER_SHARE);

  const fits: Fit[] = [];
  // A fit's partition is what it serves: each visitor at the nearest of its centroids (DBSCAN's noise included, a
  // mixture's means rather than its posteriors), so the scores, sizes and favourites describe the segments visitors
  // are then shown, and the next retrain reads the same membership back from this model.
  const score = (method: SegmentMethod, k: number, centroids: number[][], extra: Partial<SegmentCandidate> = {}): Fit => {
    const assign = z.map((x) => nearest(x, centroids));
    const sil = silhouette(sampleZ, sample.map((i) => assign[i]!), k);
    const db = daviesBouldin(z, assign, centroids);
    const tooSmall = smallestShare(assign, k) < minShare;
    return {
      candidate: {
        method,
        k,
        silhouette: round4(sil),
        daviesBouldin: round4(db),
        eligible: !tooSmall,
        ...(tooSmall ? { note: `a cluster holds under ${Math.round(minShare * 1000) / 10}% of visitors` } : {}),
        ...extra,
        chosen: false,
      },
      assign,
      centroids,
    };
  };
  const kMax = Math.min(settings.kMax, n - 1);
  // The previous model's centroids in this scaling: a candidate as they are, and the warm start's init.
  const carried = previous && previous.k >= 2 && previous.k <= n - 1 ? carriedCentroids(previous, scaler) : null;
  const ks: number[] = [];
  for (let k = Math.max(2, settings.kMin); k <= kMax; k++) ks.push(k);

  if (settings.methods.includes("kmeans")) {
    for (const k of ks) {
      const r = kmeans(z, k, { seed });
      fits.push(score("kmeans", k, r.centroids));
    }
    if (previous && carried) {
      const r = kmeans(z, previous.k, { init: carried });
      fits.push(score("kmeans", previous.k, r.centroids, { warmStart: true }));
    }
  }
  if (previous && carried && settings.methods.includes(previous.method)) fits.push(score(previous.method, previous.k, carried, { carried: true }));
  if (settings.methods.includes("gmm")) {
    const gmms = ks.map((k) => {
      const r = fitGmm(z, k, { seed, iterations: 60 });
      return score("gmm", k, gmmCentroids(z, r), { bic: Math.round(r.bic * 10) / 10 });
    });
    const best = gmms.reduce<Fit | null>((b, f) => (!b || f.candidate.bic! < b.candidate.bic! ? f : b), null);
    for (const f of gmms) {
      if (f !== best && f.candidate.eligible) Object.assign(f.candidate, { eligible: false, note: "a lower-BIC mixture exists" });
      if (f === best) f.candidate.note = f.candidate.eligible ? "lowest BIC of the mixtures" : f.candidate.note;
    }
    fits.push(...gmms);
  }
  if (settings.methods.includes("dbscan") && n > SEGMENT_DBSCAN_MIN_POINTS * 2) {
    const curve = kDistances(z, SEGMENT_DBSCAN_MIN_POINTS);
    for (const q of SEGMENT_DBSCAN_EPS_QUANTILES) {
      const r = dbscan(z, { minPts: SEGMENT_DBSCAN_MIN_POINTS, eps: epsAt(curve, q) });
      const noise = r.noise / n;
      const eps = round4(r.eps);
      if (r.clusters < 2 || r.clusters > Math.max(kMax, 2)) {
        fits.push({
          candidate: { method: "dbscan", k: r.clusters, silhouette: 0, daviesBouldin: 0, eps, noise: round4(noise), eligible: false, note: `${r.clusters} cluster(s) at eps ${eps}`, chosen: false },
          assign: r.assign,
          centroids: [],
        });
        continue;
      }
      const centroids = groupMeans(z, r.assign, r.clusters);
      const f = score("dbscan", r.clusters, centroids, { eps, noise: round4(noise) });
      if (noise > 0.3) Object.assign(f.candidate, { eligible: false, note: `${Math.round(noise * 100)}% of visitors left as noise` });
      fits.push(f);
    }
  }
  if (fits.length === 0) return null;

  // The candidates within SEGMENT_SILHOUETTE_BAND of the best silhouette, then the lowest Davies-Bouldin among
  // them, ties to the smaller k. Davies-Bouldin alone keeps falling as k grows on data without structure (the demo's
  // default visitors: k = 8 of 8), so it only decides between near-equal silhouettes.
  const eligible = fits.filter((f) => f.candidate.eligible);
  const pool = eligible.length > 0 ? eligible : fits.filter((f) => f.centroids.length >= 2);
  if (pool.length === 0) return null;
  const bestSil = Math.max(...pool.map((f) => f.candidate.silhouette));
  const band = pool.filter((f) => f.candidate.silhouette >= bestSil - SEGMENT_SILHOUETTE_BAND);
  const ranked = band.sort((a, b) => a.candidate.daviesBouldin - b.candidate.daviesBouldin || a.candidate.k - b.candidate.k);
  let chosen = ranked[0]!;
  let selection = `lowest Davies-Bouldin (${chosen.candidate.daviesBouldin}) of the ${band.length} candidate(s) within ${SEGMENT_SILHOUETTE_BAND} of the best silhouette (${bestSil}): ${chosen.candidate.method} with k = ${chosen.candidate.k}`;
  // Stability over a marginally better score: the previous centroids as they are (an unchanged-data retrain then
  // reproduces every visitor's segment exactly), else k-means warm-started from them, while within the tolerance.
  const best = chosen;
  for (const [warm, how] of [
    [pool.find((f) => f.candidate.carried), "their centroids unchanged"],
    [pool.find((f) => f.candidate.warmStart), "k-means warm-started from them"],
  ] as const) {
    if (!warm || warm.candidate.silhouette < best.candidate.silhouette - SEGMENT_WARM_TOLERANCE) continue;
    selection =
      warm === best
        ? `kept the previous segments (${how}, k = ${warm.candidate.k}): ${selection}`
        : `kept the previous segments (${how}, k = ${warm.candidate.k}): silhouette ${warm.candidate.silhouette} is within ${SEGMENT_WARM_TOLERANCE} of the best candidate's (${best.candidate.method}, k = ${best.candidate.k}, ${best.candidate.silhouette})`;
    chosen = warm;
    break;
  }
  chosen.candidate.chosen = true;

  // Every visitor with evidence has a cluster (score() served each at the nearest centroid). A cluster left empty
  // (identical visitors give k-means duplicate centres) is dropped rather than reported as a segment of nobody.
  const used = chosen.centroids.map((_, c) => chosen.assign.includes(c));
  const renumber = new Array<number>(used.length).fill(-1);
  let next = 0;
  for (let c = 0; c < renumber.length; c++) renumber[c] = used[c] ? next++ : -1;
  const centroids = chosen.centroids.filter((_, c) => used[c]);
  const k = centroids.length;
  const assign = chosen.assign.map((a) => renumber[a]!);

  const prevIds = previous ? evidence.map((s) => assignSegment(s, previous, now)).map((id) => (id === null || id === NEW_VISITOR_SEGMENT ? null : id)) : [];
  const { ids, nextFreeId } = previous ? matchSegmentIds(prevIds, assign, k, previous.nextId) : { ids: centroids.map((_, c) => c + 1), nextFreeId: k + 1 };
  const withPrev = prevIds.filter((p) => p !== null).length;
  const kept = previous && withPrev > 0 ? round4(prevIds.filter((p, i) => p !== null && p === ids[assign[i]!]).length / withPrev) : null;

  const { mean: overall, std: overallStd } = moments(raw);
  const segments: SegmentInfo[] = centroids.map((_, c) => {
    const members = assign.map((a, i) => (a === c ? i : -1)).filter((i) => i >= 0);
    const memberMean = moments(members.map((i) => raw[i]!)).mean;
    const d = describeSegment(columns, memberMean, overall, overallStd);
    const scores = members.map((i) => behaviourScores(evidence[i]!, now, settings.scoreWeights));
    const avg = (pick: (x: (typeof scores)[number]) => number) => Math.round((scores.reduce((a, x) => a + pick(x), 0) / Math.max(1, scores.length)) * 10) / 10;
    return {
      id: ids[c]!,
      size: members.length,
      share: round4(members.length / n),
      description: d.description,
      distinctive: d.distinctive,
      traits: d.traits,
      scores: { score: avg((x) => x.score), ...(Object.fromEntries(SCORE_NAMES.map((s) => [s, avg((x) => x[s])])) as Record<ScoreName, number>) },
    };
  });

  const pca = fitPca(sampleZ.length >= 3 ? sampleZ : z, seed);
  const pstep = Math.max(1, Math.ceil(n / SEGMENT_PROJECTION_POINTS));
  const at = (p: { x: number; y: number }, segment: number) => ({ x: Math.round(p.x * 1000) / 1000 || 0, y: Math.round(p.y * 1000) / 1000 || 0, segment });
  const projection: SegmentProjection = {
    points: z.filter((_, i) => i % pstep === 0).map((x, j) => at(project(x, pca), ids[assign[j * pstep]!]!)),
    centroids: centroids.map((c, i) => at(project(c, pca), ids[i]!)),
    explained: [round4(pca.explained[0]), round4(pca.explained[1])],
  };

  const model: SegmentModel = {
    schema: 2,
    method: chosen.candidate.method,
    k,
    layout,
    featureNames: columns.map((c) => c.name),
    scaler,
    centroids,
    segments,
    newVisitors: {
      id: NEW_VISITOR_SEGMENT,
      size: summaries.length - n,
      minEvents: settings.minEvents,
      description: newVisitorDescription(settings.minEvents),
    },
    silhouette: chosen.candidate.silhouette,
    daviesBouldin: chosen.candidate.daviesBouldin,
    candidates: fits.map((f) => f.candidate),
    selection,
    structure: structureOf(chosen.candidate.silhouette),
    nextId: nextFreeId,
    profiles: opts.profiles ?? summaries.length,
    clustered: n,
    projection,
    context: contextReport(evidence, layout),
    stability: { previous: previous !== null, matched: previous ? ids.filter((id) => id < previous.nextId).length : 0, kept },
    settings,
  };
  const out = new Array<number>(summaries.length).fill(NEW_VISITOR_SEGMENT);
  evidenceIdx.forEach((i, j) => (out[i] = ids[assign[j]!]!));
  return { model, assign: out };
}

function structureOf(sil: number): SegmentModel["structure"] {
  if (sil < 0.25) return { verdict: "none", words: `silhouette ${sil}: no substantial structure; these segments split visitors conveniently but are not distinct groups` };
  if (sil < 0.5) return { verdict: "weak", words: `silhouette ${sil}: weak structure; segments overlap, read their descriptions as tendencies` };
  if (sil < 0.7) return { verdict: "reasonable", words: `silhouette ${sil}: reasonable structure; the segments are distinct groups` };
  return { verdict: "strong", words: `silhouette ${sil}: strong structure` };
}

export function newVisitorDescription(minEvents: number): string {
  return `new visitors: fewer than ${minEvents} events so far, not enough history for a behavioural segment`;
}

/**
 * The visitor's segment id at request time: NEW_VISITOR_SEGMENT below the minimum evidence, else the nearest
 * centroid's. Null for a model stored before this format (it has no ids): the visitor then has no segment.
 */
export function assignSegment(s: BehaviourSummary, model: SegmentModel, now: number): number | null {
  if (!isModel(model)) return null;
  if (s.eventCount < model.newVisitors.minEvents) return NEW_VISITOR_SEGMENT;
  const x = applyScaler(rawFeatures(s, model.layout, now), model.scaler);
  return model.segments[nearest(x, model.centroids)]!.id;
}

/** The description of a segment id in a model ("" for an id it does not hold). */
export function segmentDescription(model: SegmentModel, id: number): string {
  if (id === NEW_VISITOR_SEGMENT) return model.newVisitors.description;
  return model.segments.find((s) => s.id === id)?.description ?? "";
}
