// The learned re-ranking stage of the pipeline (./pipeline.ts): the blend's top candidates for a live session path,
// each described by what the lists say about it separately (the session source's after / with / own-entry terms,
// the graph score, where it sits in the path, its repeat propensity, support), re-scored by a linear model fitted
// with a listwise softmax loss on held-out sessions. No model = the blend's order. Pure: lookups come from the view.
import { scoreGraphWithReasons } from "./graph-source";
import { DEFAULT_SCORE_OPTIONS, forEachContribution } from "./score-session";
import type { ArtifactView } from "./sources/types";
import type { Neighbour, NeighbourList } from "./types";

/**
 * The features, in model order. A stored model names them, so a version fitted with another list reads as no model
 * (the safe default) rather than as wrong weights.
 */
export const RERANK_FEATURES = [
  "session", // the session source's score / the path's best session score
  "logSession",
  "after", // its successor-list terms (every path item's and the newest item's extra)
  "with", // its co-occurrence terms from other path items
  "self", // its own with-entry (a path item pulled back)
  "graph", // the graph family's score (raw, as the blend takes it)
  "logGraph",
  "current", // it is the newest path item
  "back1", // distinct steps back 1, 2, 3, 4 or more
  "back2",
  "back3",
  "back4",
  "repeat", // its after-list's own entry (how often it follows itself), when it is in the path
  "currentRepeat",
  "currentLogLength",
  "pathLogLength", // in the path (not the newest) × log distinct path length
  "support", // log(1 + path items whose lists hold it)
  "visits", // log of its visits in the path (0 when not in the path)
  "trending",
  "lastAfter", // the newest item's successor-list score (a conditional frequency)
  "lastWith", // the newest item's co-occurrence score / that list's best other entry
  "sessionLogLength",
] as const;
export type RerankFeature = (typeof RERANK_FEATURES)[number];

const F = RERANK_FEATURES.length;
/** The model's inputs: the features, then every product of two of them (j <= k), so it can weigh interactions. */
export const RERANK_INPUTS = F + (F * (F + 1)) / 2;

/**
 * A fitted re-ranker as a version stores it: `weights` over the RERANK_INPUTS inputs (standardisation folded in),
 * for the features named in `features`, applied to the blend's top `pool` evidence candidates.
 */
export type RerankModel = { features: readonly string[]; weights: readonly number[]; pool: number; scope?: RerankScope };
/**
 * What the model may move: `all` candidates, or only `revisits` (the path's own items find their places among the
 * new ones, which keep the blend's order among themselves, so a list without the session's items is the blend's).
 */
export type RerankScope = "all" | "revisits";

/** The model when it was fitted on this code's features, else null (the blend's order is kept). */
export function usableModel(m: RerankModel | null | undefined): RerankModel | null {
  if (!m || typeof m !== "object") return null;
  // A version's model is one object for the isolate's life (its personal data is cached): checked once, not per list.
  let verdict = checked.get(m);
  if (verdict === undefined) checked.set(m, (verdict = wellFormed(m)));
  return verdict ? m : null;
}

const checked = new WeakMap<object, boolean>();

/** It comes from a version's stored JSON: anything malformed reads as no model, never as an error. */
function wellFormed(m: RerankModel): boolean {
  if (!Array.isArray(m.features) || !Array.isArray(m.weights) || m.features.length !== F || m.weights.length !== RERANK_INPUTS) return false;
  return !m.features.some((f, i) => f !== RERANK_FEATURES[i]) && m.weights.every(Number.isFinite) && m.pool > 1;
}

const at = Object.fromEntries(RERANK_FEATURES.map((f, i) => [f, i])) as Record<RerankFeature, number>;

type Terms = { after: number; with: number; self: number; lastAfter: number; lastWith: number; support: number };

/**
 * One feature row per candidate (index-aligned), for a session path (oldest first). Candidates need not be scored by
 * any list (all-zero terms); the normaliser is the path's best session score over every item the lists reach, so a
 * row does not depend on which items the request leaves out.
 */
export function rerankFeatures(path: readonly string[], candidates: readonly string[], view: ArtifactView): Float64Array[] {
  const lists = (id: string): NeighbourList | undefined => {
    const l = view.session(id);
    return l && { after: l.after ?? [], with: l.with ?? [] };
  };
  const o = DEFAULT_SCORE_OPTIONS;
  const terms = new Map<string, Terms>();
  const supported = new Map<string, Set<string>>();
  let newest: string | undefined;
  let lastWithMax = 0;
  forEachContribution(path, lists, o, (n, w, from, kind, d) => {
    if (d === 0 && newest === undefined) newest = from;
    let t = terms.get(n.itemId);
    if (!t) terms.set(n.itemId, (t = { after: 0, with: 0, self: 0, lastAfter: 0, lastWith: 0, support: 0 }));
    const v = n.score * w;
    if (n.itemId === from) t.self += v;
    else {
      if (kind === "after") t.after += v;
      else t.with += v;
      let s = supported.get(n.itemId);
      if (!s) supported.set(n.itemId, (s = new Set()));
      s.add(from);
    }
    if (from === newest && n.itemId !== from) {
      if (kind === "after") t.lastAfter = n.score;
      else {
        t.lastWith = n.score;
        lastWithMax = Math.max(lastWithMax, n.score);
      }
    }
  });
  let best = 0;
  for (const t of terms.values()) best = Math.max(best, t.after + t.with + t.self);
  const norm = best > 0 ? 1 / best : 0;
  const graph = scoreGraphWithReasons(path, (id) => view.personal(id)?.graph);
  const trending = new Map(view.trending.map((n) => [n.itemId, n.score]));
  // Distinct path items newest first, with visit counts.
  const back = new Map<string, number>();
  const visits = new Map<string, number>();
  for (let i = path.length - 1; i >= 0; i--) {
    const id = path[i]!;
    if (!back.has(id)) back.set(id, back.size);
    visits.set(id, (visits.get(id) ?? 0) + 1);
  }
  const logLength = Math.log(Math.max(1, back.size));
  return candidates.map((c) => {
    const x = new Float64Array(F);
    const t = terms.get(c);
    if (t) {
      const s = (t.after + t.with + t.self) * norm;
      x[at.session] = s;
      x[at.logSession] = Math.log(s + 0.01);
      x[at.after] = t.after * norm;
      x[at.with] = t.with * norm;
      x[at.self] = t.self * norm;
      x[at.lastAfter] = t.lastAfter;
      x[at.lastWith] = lastWithMax > 0 ? t.lastWith / lastWithMax : 0;
      x[at.support] = Math.log1p(supported.get(c)?.size ?? 0);
      x[at.sessionLogLength] = s * logLength;
    } else x[at.logSession] = Math.log(0.01);
    const g = graph.get(c)?.score ?? 0;
    x[at.graph] = g;
    x[at.logGraph] = Math.log(g + 0.01);
    const b = back.get(c);
    if (b !== undefined) {
      if (b === 0) {
        x[at.current] = 1;
        x[at.currentLogLength] = logLength;
      } else {
        x[at[b >= 4 ? "back4" : b === 1 ? "back1" : b === 2 ? "back2" : "back3"]] = 1;
        x[at.pathLogLength] = logLength;
      }
      const rep = selfEntry(view.session(c)?.after, c);
      x[at.repeat] = rep;
      if (b === 0) x[at.currentRepeat] = rep;
      x[at.visits] = Math.log(visits.get(c)!);
    }
    x[at.trending] = trending.get(c) ?? 0;
    return x;
  });
}

/** An item's own entry in its after-list: the (1/distance-weighted) share of its successors that are itself. */
function selfEntry(list: readonly Neighbour[] | undefined, itemId: string): number {
  return list?.find((n) => n.itemId === itemId)?.score ?? 0;
}

/** Input index of the product of features j <= k: PAIR_BASE[j] + k (products follow the F features, j-major). */
const PAIR_BASE = (() => {
  const base = new Uint32Array(F);
  for (let j = 0, q = F; j < F; q += F - j, j++) base[j] = q - j;
  return base;
})();

/**
 * The score of one feature row (the F values of `x` from `at`) over its nonzero features `nz[from..to)`, ascending:
 * Σ w · input over the features and their pairwise products. A zero feature adds nothing, so visiting only the
 * nonzero ones gives the dense sum to the bit, in the same order.
 */
function scoreNonzero(weights: ArrayLike<number>, x: ArrayLike<number>, at: number, nz: ArrayLike<number>, from: number, to: number): number {
  let z = 0;
  for (let a = from; a < to; a++) {
    const j = nz[a]!;
    const xj = x[at + j]!;
    z += weights[j]! * xj;
    const base = PAIR_BASE[j]!;
    for (let b = a; b < to; b++) {
      const k = nz[b]!;
      z += weights[base + k]! * xj * x[at + k]!;
    }
  }
  return z;
}

/** The model's score of one feature row (the F values of `x` from `at`). */
export function rerankScore(weights: ArrayLike<number>, x: ArrayLike<number>, at = 0): number {
  const nz: number[] = [];
  for (let j = 0; j < F; j++) if (x[at + j] !== 0) nz.push(j);
  return scoreNonzero(weights, x, at, nz, 0, nz.length);
}

/** The model's order of the rows: indices, best score first, ties in the given order (see RerankScope). */
export function rerankOrder(rows: readonly ArrayLike<number>[], model: RerankModel): number[] {
  const z = rows.map((x) => rerankScore(model.weights, x));
  const order = rows.map((_, i) => i).sort((a, b) => z[b]! - z[a]! || a - b);
  if (model.scope !== "revisits") return order;
  const inPath = (i: number) => PATH_FLAGS.some((f) => rows[i]![f]! > 0);
  const fresh = rows.map((_, i) => i).filter((i) => !inPath(i));
  let next = 0;
  return order.map((i) => (inPath(i) ? i : fresh[next++]!));
}

const PATH_FLAGS = (["current", "back1", "back2", "back3", "back4"] as const).map((f) => at[f]);

/**
 * One training prefix: its candidates' feature rows (the blend's order), packed `n` rows of F in one array, and
 * which of them was the next item. Packed because a fit holds ~10^5 rows: one small typed array each cost twice the
 * memory (bench/train-scale.ts).
 */
export type RerankExample = { x: Float64Array; n: number; target: number };

/** Packs a prefix's feature rows into one example. */
export function packExample(rows: readonly ArrayLike<number>[], target: number): RerankExample {
  const x = new Float64Array(rows.length * F);
  rows.forEach((row, r) => x.set(row, r * F));
  return { x, n: rows.length, target };
}

/** Row `r` of an example (a view, not a copy). */
export function exampleRow(ex: RerankExample, r: number): Float64Array {
  return ex.x.subarray(r * F, (r + 1) * F);
}

export type FitOptions = { iterations: number; l2: number };
/** l2 0.03 on standardised inputs: chosen on yoochoose train's second-to-last → last day (docs/model.md, part 9). */
export const DEFAULT_FIT_OPTIONS: FitOptions = { iterations: 150, l2: 0.03 };

/**
 * Fits the weights on the listwise softmax loss −log softmax(z)[target], mean over examples, plus l2·|w|² on
 * standardised inputs (mean 0, variance 1 over every row), by L-BFGS: convex and deterministic, so the result
 * depends on the data only. The standardisation is folded into the stored weights (a constant shift of every
 * candidate's score does not change the order).
 */
export function fitRerank(examples: readonly RerankExample[], pool: number, options: Partial<FitOptions> = {}, scope: RerankScope = "all"): RerankModel {
  const o = { ...DEFAULT_FIT_OPTIONS, ...options };
  const n = RERANK_INPUTS;
  const mu = new Float64Array(n);
  const sq = new Float64Array(n);
  let rows = 0;
  for (const { x, n: m } of examples)
    for (let r = 0; r < m; r++) {
      rows++;
      const at = r * F;
      let q = F;
      for (let j = 0; j < F; j++) {
        const v = x[at + j]!;
        mu[j] += v;
        sq[j] += v * v;
      }
      for (let j = 0; j < F; j++) {
        const xj = x[at + j]!;
        for (let k = j; k < F; k++, q++) {
          const v = xj * x[at + k]!;
          mu[q] += v;
          sq[q] += v * v;
        }
      }
    }
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = rows > 0 ? mu[i]! / rows : 0;
    const sd = Math.sqrt(Math.max(0, (rows > 0 ? sq[i]! / rows : 0) - m * m));
    mu[i] = m;
    // A constant input carries nothing (softmax ignores shifts): it keeps weight 0.
    scale[i] = sd > 1e-9 ? 1 / sd : 0;
  }
  const count = Math.max(1, examples.length);
  // The objective runs ~150 times over every row, so its loops allocate nothing, call nothing per input, and visit
  // only a row's nonzero features (the one-hot and path features leave about half zero; a product with a zero adds
  // nothing). Inputs are the features, then their products j <= k, each sum taken in row order as before the
  // skipping, so the fitted weights are the same to the bit.
  let totalRows = 0;
  for (const ex of examples) totalRows += ex.n;
  const rowStart = new Uint32Array(totalRows + 1);
  const nonzero: number[] = [];
  {
    let row = 0;
    for (const { x, n: m } of examples)
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < F; j++) if (x[r * F + j] !== 0) nonzero.push(j);
        rowStart[++row] = nonzero.length;
      }
  }
  const nz = Uint8Array.from(nonzero);
  const z = new Float64Array(examples.reduce((most, ex) => Math.max(most, ex.n), pool));
  const w = new Float64Array(n);
  const g = new Float64Array(n);
  // Loss and gradient over the standardised weights u (stored weight = u · scale).
  const objective = (u: Float64Array, grad: Float64Array): number => {
    for (let i = 0; i < n; i++) w[i] = u[i]! * scale[i]!;
    g.fill(0);
    let loss = 0;
    let row0 = 0;
    for (const ex of examples) {
      const { x, n: m } = ex;
      let zMax = -Infinity;
      for (let r = 0; r < m; r++) {
        const zr = scoreNonzero(w, x, r * F, nz, rowStart[row0 + r]!, rowStart[row0 + r + 1]!);
        z[r] = zr;
        if (zr > zMax) zMax = zr;
      }
      let sum = 0;
      for (let r = 0; r < m; r++) sum += Math.exp(z[r]! - zMax);
      loss -= z[ex.target]! - zMax - Math.log(sum);
      for (let r = 0; r < m; r++) {
        const d = Math.exp(z[r]! - zMax) / sum - (r === ex.target ? 1 : 0);
        if (!(Math.abs(d) > 1e-12)) continue;
        const at = r * F;
        const end = rowStart[row0 + r + 1]!;
        for (let a = rowStart[row0 + r]!; a < end; a++) {
          const j = nz[a]!;
          const xj = x[at + j]!;
          g[j] += d * xj;
          const base = PAIR_BASE[j]!;
          for (let b = a; b < end; b++) {
            const k = nz[b]!;
            g[base + k] += d * (xj * x[at + k]!);
          }
        }
      }
      row0 += m;
    }
    loss /= count;
    for (let i = 0; i < n; i++) {
      // The input's mean drops out of a softmax (Σ d = 0 per example), so d(loss)/du = Σ d · x · scale.
      grad[i] = (g[i]! * scale[i]!) / count + 2 * o.l2 * u[i]!;
      loss += o.l2 * u[i]! * u[i]!;
    }
    return loss;
  };
  const u = lbfgs(objective, n, o.iterations);
  return { features: [...RERANK_FEATURES], weights: Array.from(u, (v, i) => Number((v * scale[i]!).toPrecision(6))), pool, scope };
}

/** Minimises f (which fills its gradient) from 0 by L-BFGS (memory 8) with a backtracking Armijo line search. */
function lbfgs(f: (x: Float64Array, g: Float64Array) => number, n: number, iterations: number): Float64Array {
  const m = 8;
  let x = new Float64Array(n);
  let g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const dotv = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    return s;
  };
  for (let it = 0; it < iterations; it++) {
    // Two-loop recursion: d = −H·g.
    const d = Float64Array.from(g, (v) => -v);
    const alpha: number[] = [];
    for (let i = S.length - 1; i >= 0; i--) {
      const a = dotv(S[i]!, d) / dotv(Y[i]!, S[i]!);
      alpha[i] = a;
      for (let j = 0; j < n; j++) d[j] -= a * Y[i]![j]!;
    }
    if (S.length > 0) {
      const gamma = dotv(S.at(-1)!, Y.at(-1)!) / dotv(Y.at(-1)!, Y.at(-1)!);
      for (let j = 0; j < n; j++) d[j] *= gamma;
    }
    for (let i = 0; i < S.length; i++) {
      const b = dotv(Y[i]!, d) / dotv(Y[i]!, S[i]!);
      for (let j = 0; j < n; j++) d[j] += S[i]![j]! * (alpha[i]! - b);
    }
    let slope = dotv(g, d);
    if (!(slope < 0)) {
      // Not a descent direction: restart from the gradient.
      S.length = 0;
      Y.length = 0;
      for (let j = 0; j < n; j++) d[j] = -g[j]!;
      slope = dotv(g, d);
    }
    let step = S.length === 0 ? 1 / Math.max(1, Math.sqrt(dotv(g, g))) : 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < n; j++) xNew[j] = x[j]! + step * d[j]!;
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNew < fx)) break;
    const s = Float64Array.from(xNew, (v, j) => v - x[j]!);
    const y = Float64Array.from(gNew, (v, j) => v - g[j]!);
    if (dotv(s, y) > 1e-12) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    const done = fx - fNew < 1e-9 * Math.max(1, Math.abs(fx));
    x = xNew;
    g = gNew;
    fx = fNew;
    if (done) break;
  }
  return x;
}
