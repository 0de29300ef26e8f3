// EVAL.md protocol 2 (leave-last-out per user): each user's last item is the target, everything before it the
// history; rank all items not in the history. Rows: POP, item-kNN (item-cf alone), each other source alone and the
// served blend: the Worker's pipeline (src/recommend/pipeline.ts) over the artifacts the retrain would write from
// the training histories (session statistics' lists and every registered personal family, through the codec), with
// the Worker's visitor context (the newest VISITOR_HISTORY_ITEMS of the history, the segment). Production modules:
// trending is the Worker's TRENDING_SQL (scripts/eval/trending-db.ts), segment favourites the Worker's
// SegmentFavourites, the sequence source the session model (SessionModelTrainer, served through the artifact codec,
// scored by scoreSession) over each visitor's newest history items.
import { blend, DEFAULT_BLEND_WEIGHTS, type BlendOptions, type BlendSource, type SourceCandidate } from "../../src/recommend/blend";
import { encodeShards, lookupFromShards, sessionLookup } from "../../src/models/shards";
import { ContentTrainer } from "../../src/recommend/content";
import { sequenceCandidates, type SequenceOptions } from "../../src/recommend/history-sequence";
import { ItemCfTrainer, scoreHistory } from "../../src/recommend/item-cf";
import { SegmentFavourites } from "../../src/recommend/segment-favourites";
import { NEW_VISITOR_SEGMENT, trainSegments } from "../../src/recommend/segments";
import { formatSegmentReport } from "./segment-report";
import { historySummary } from "./history-summary";
import { contentCandidates, firstK } from "../../src/recommend/candidate-lists";
import { normalised, trendingByCategory } from "../../src/recommend/trending";
import { SessionModelTrainer } from "../../src/recommend/trainer";
import type { Neighbour, NeighbourList } from "../../src/recommend/types";
import { TRENDING_WINDOW, type TrendingQueryOptions } from "../../src/storage/trending-sql";
import { VISITOR_HISTORY_ITEMS } from "../../src/config/limits";
import { encodeFamilies } from "../../src/models/shards";
import { PersonalFamiliesTrainer } from "../../src/models/personal-families";
import { recommendInMemory, type CatalogLookup } from "../../src/recommend/pipeline";
import type { ArtifactView, HistoryEntry } from "../../src/recommend/sources/types";
import { memoryCatalog, memoryView } from "./pipeline-view";
import { RankingMetrics } from "./metrics";
import type { ResultRow } from "./report";
import type { UserHistory } from "./read-users";
import { trendingOfEvents, type EvalEvent } from "./trending-db";

export const USER_KS = [10] as const;
const MIN_INTERACTIONS = 3;
const POOL = 200;
const YEAR_MS = 365 * 86_400_000;

/**
 * The sequence source's training and scoring: each training user's history is cut into sessions at idle gaps of
 * `gapSeconds` (Infinity: the whole history is one session), counted by SessionModelTrainer with the session
 * model's defaults, and a visitor's newest items are scored by scoreSession with `score`.
 */
export type SequenceConfig = { gapSeconds: number; score: Omit<SequenceOptions, "k"> };
export const SEQUENCE_CONFIG: SequenceConfig = { gapSeconds: Infinity, score: {} };

/** Splits a time-ordered history into sessions wherever two neighbouring interactions are more than gap apart. */
export function sessionsOf(h: UserHistory, gapSeconds: number): string[][] {
  const out: string[][] = [];
  h.items.forEach((it, i) => {
    if (i === 0 || h.times[i]! - h.times[i - 1]! > gapSeconds) out.push([]);
    out.at(-1)!.push(it);
  });
  return out;
}

/**
 * The Worker's trending query with its two time parameters fitted to MovieLens, which spans two decades of ratings
 * where a shop's log spans the 7-day window: every training event is in the window, and the decay scale is a year
 * instead of a day (an event counts half at a year old), so "recently popular" does not drop the classics. The
 * decay's shape, the per-visitor cap, the burst damping and the 200-item limit are production's.
 */
export function evalTrendingWindow(histories: readonly UserHistory[], now: number): TrendingQueryOptions {
  const first = Math.min(...histories.map((h) => (h.times[0] ?? Infinity) * 1000));
  return { windowMs: Number.isFinite(first) ? now - first + 1 : 1, scaleMs: YEAR_MS, limit: TRENDING_WINDOW.limit };
}

export type Split = { histories: UserHistory[]; targets: Map<string, string> };

/** Leave-last-out: drop users with fewer than 3 interactions; `drop` extra trailing items first (1 = validation). */
export function leaveLastOut(users: readonly UserHistory[], drop = 0): Split {
  const histories: UserHistory[] = [];
  const targets = new Map<string, string>();
  for (const u of users) {
    const n = u.items.length - drop;
    if (n < MIN_INTERACTIONS) continue;
    histories.push({ user: u.user, items: u.items.slice(0, n - 1), times: u.times.slice(0, n - 1) });
    targets.set(u.user, u.items[n - 1]!);
  }
  return { histories, targets };
}

type Trained = {
  pop: Neighbour[];
  /** The Worker's trending at the newest training event, normalised as the artifact stores it. */
  trending: Neighbour[];
  /** Trending per category, cut from `trending` as the retrain does (not yet used by the protocol-2 ranking). */
  trendingByCategory: Record<string, Neighbour[]>;
  cf: Map<string, Neighbour[]>;
  content: Map<string, Neighbour[]>;
  segmentPop: Neighbour[][];
  segmentOf: Map<string, number>;
  /** The session model trained on the histories, decoded from its artifact shards as the Worker reads it. */
  sequence: (itemId: string) => NeighbourList | undefined;
  sequenceConfig: SequenceConfig;
  /** The served artifact's view (session lists, personal families, trending, segment favourites) and the catalog. */
  view: ArtifactView;
  lookupCatalog: CatalogLookup;
  now: number;
  catalog: number;
  trainSeconds: number;
};

/** Trains every source on the histories; the segment report goes to `log` (stderr by default). */
export function train(
  histories: readonly UserHistory[],
  cats: Map<string, string[]>,
  log: (text: string) => void = (t) => process.stderr.write(t),
  sequenceConfig: SequenceConfig = SEQUENCE_CONFIG,
): Trained {
  const t0 = performance.now();
  const counts = new Map<string, number>();
  const cfTrainer = new ItemCfTrainer();
  for (const h of histories) {
    h.items.forEach((it, i) => {
      counts.set(it, (counts.get(it) ?? 0) + 1);
      cfTrainer.push(h.user, it, h.times[i]! * 1000, "view");
    });
  }
  const pop = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([itemId, score]) => ({ itemId, score }));
  const cfLists = cfTrainer.build();
  const cf = new Map(cfLists.items.map((id, i) => [id, cfLists.lists[i]!]));
  const contentTrainer = new ContentTrainer();
  const itemIds = new Set([...counts.keys(), ...cats.keys()]);
  for (const id of itemIds) contentTrainer.push(id, cats.get(id) ?? [], []);
  const contentLists = contentTrainer.build();
  const content = new Map(contentLists.items.map((id, i) => [id, contentLists.lists[i]!]));

  const now = Math.max(...histories.map((h) => (h.times.at(-1) ?? 0) * 1000));
  const summaries = histories.map((h) => historySummary(h, cats));
  const seg = trainSegments(summaries, now);
  const segmentOf = new Map<string, number>();
  if (seg) histories.forEach((h, i) => seg.assign[i] !== NEW_VISITOR_SEGMENT && segmentOf.set(h.user, seg.assign[i]!));
  const favourites = new SegmentFavourites(segmentOf, seg?.model.nextId ?? 0);
  for (const h of histories) for (const it of h.items) favourites.push(h.user, it, "view");
  const segmentPop = favourites.lists();
  const trending = normalised(trendingOfEvents(events(histories), now, evalTrendingWindow(histories, now)));
  const sessionTrainer = new SessionModelTrainer();
  for (const h of histories) for (const s of sessionsOf(h, sequenceConfig.gapSeconds)) sessionTrainer.pushSession(s);
  const artifact = encodeShards(sessionTrainer.build());
  // The personal artifact as the retrain builds it: every registered family, fed the catalog and each history.
  const families = new PersonalFamiliesTrainer();
  for (const id of itemIds) families.pushCatalog({ id, categories: cats.get(id) ?? [], tags: [] });
  for (const e of events(histories)) families.pushHistory(e);
  const personal = encodeFamilies(families.build().model);
  const byCategory = trendingByCategory(trending, (id) => cats.get(id));
  const view = memoryView({ sessionShards: artifact.shards, personalShards: personal.shards, trending, trendingByCategory: byCategory, segmentPopular: segmentPop });
  const lookupCatalog = memoryCatalog(new Map([...itemIds].map((id) => [id, { categories: cats.get(id) ?? [], tags: [], available: true }])));
  if (seg) log(formatSegmentReport(seg.model));
  return {
    pop,
    trending,
    trendingByCategory: byCategory,
    cf,
    content,
    segmentPop,
    segmentOf,
    sequence: sessionLookup(lookupFromShards(artifact.shards)),
    sequenceConfig,
    view,
    lookupCatalog,
    now,
    catalog: itemIds.size,
    trainSeconds: (performance.now() - t0) / 1000,
  };
}

/** Every interaction of the histories as a stored event (each MovieLens rating counts as a view, as for item-CF). */
function* events(histories: readonly UserHistory[]): Generator<EvalEvent> {
  for (const h of histories) for (let i = 0; i < h.items.length; i++) yield { profileId: h.user, itemId: h.items[i]!, ts: h.times[i]! * 1000, type: "view" };
}

export type UserRanker = (h: UserHistory, exclude: ReadonlySet<string>) => string[];

function rankFrom(scored: readonly { itemId: string }[], exclude: ReadonlySet<string>, k: number): string[] {
  const out: string[] = [];
  for (const s of scored) {
    if (out.length >= k) break;
    if (!exclude.has(s.itemId)) out.push(s.itemId);
  }
  return out;
}

/** Each source's candidates for one visitor (its POOL best not in `ex`), the blend's input; independent of weights. */
export type UserSources = Partial<Record<BlendSource, SourceCandidate<null>[]>>;

export function rankers(t: Trained, weights: Partial<Record<BlendSource, number>>, opts: BlendOptions = {}): Record<string, UserRanker> {
  const k = Math.max(...USER_KS);
  const s = sourceScorers(t);
  return {
    POP: (_h, ex) => rankFrom(t.pop, ex, k),
    "item-kNN": (h, ex) => rankFrom(s.itemCf(h), ex, k),
    "session model on history only": (h, ex) => rankFrom(s.sequence(h), ex, k),
    // Each of the blend's other sources alone, so a change to one of them shows in its own row.
    "content only": (h, ex) => rankFrom(s.content(h), ex, k),
    "segment favourites only": (h, ex) => rankFrom(s.segment(h), ex, k),
    "trending only": (_h, ex) => rankFrom(t.trending, ex, k),
    // The blend the tuning searches (cached source lists, the blend stage alone), for comparison with the served one.
    "blend stage only": (h, ex) => rankBlend(userSources(t, h, ex, s), weights, ex, opts),
    "served blend": (h, ex) => servedBlend(t, h, ex, weights),
  };
}

/**
 * The served blend for one visitor: the Worker's pipeline with the Worker's context (no live session, the newest
 * VISITOR_HISTORY_ITEMS distinct history items, newest first, the visitor's segment) and the protocol's exclusion
 * of the whole history as the request's `exclude`.
 */
export function servedBlend(t: Trained, h: UserHistory, ex: ReadonlySet<string>, weights: Partial<Record<BlendSource, number>>): string[] {
  const history: HistoryEntry[] = [];
  const seen = new Set<string>();
  for (let i = h.items.length - 1; i >= 0 && history.length < VISITOR_HISTORY_ITEMS; i--) {
    const itemId = h.items[i]!;
    if (seen.has(itemId)) continue;
    seen.add(itemId);
    history.push({ itemId, ts: h.times[i]! * 1000, type: "view", purchases: 0 });
  }
  const req = {
    ctx: { path: [], history, segment: t.segmentOf.get(h.user) ?? null, now: (h.times.at(-1) ?? 0) * 1000 },
    sessionPath: [],
    rules: { exclude: [...ex] },
    k: Math.max(...USER_KS),
    weights,
    allowUncatalogued: true,
  };
  return recommendInMemory(req, t.view, t.lookupCatalog).items.map((i) => i.id);
}

/** Ranks one visitor's blended sources, as the blend row does (the tuning calls it on cached sources). */
export function rankBlend(sources: UserSources, weights: Partial<Record<BlendSource, number>>, ex: ReadonlySet<string>, opts: BlendOptions = {}): string[] {
  return rankFrom(blend(sources, weights, opts), ex, Math.max(...USER_KS));
}

type Scorers = Record<"itemCf" | "sequence" | "content" | "segment", (h: UserHistory) => readonly Neighbour[]>;

function sourceScorers(t: Trained): Scorers {
  const now = (h: UserHistory) => (h.times.at(-1) ?? 0) * 1000;
  return {
    itemCf: (h) =>
      scoreHistory(h.items.map((itemId, i) => ({ itemId, ts: h.times[i]! * 1000, type: "view" })), (id) => t.cf.get(id), { now: now(h), k: POOL + h.items.length }),
    // Newest first, as the Worker keeps a visitor's history; k leaves room for the history items the caller drops.
    sequence: (h) => sequenceCandidates(h.items.slice().reverse(), t.sequence, { ...t.sequenceConfig.score, k: POOL + h.items.length }),
    content: (h) => contentCandidates(h.items.slice().reverse(), (id) => t.content.get(id)),
    segment: (h) => {
      const seg = t.segmentOf.get(h.user);
      return seg === undefined ? [] : (t.segmentPop[seg] ?? []);
    },
  };
}

export function userSources(t: Trained, h: UserHistory, ex: ReadonlySet<string>, s: Scorers = sourceScorers(t)): UserSources {
  const keep = (id: string) => !ex.has(id);
  const withReason = (list: readonly Neighbour[]) => firstK(list, POOL, keep).map((n) => ({ itemId: n.itemId, score: n.score, reason: null }));
  return {
    itemCf: withReason(s.itemCf(h)),
    sequence: withReason(s.sequence(h)),
    content: withReason(s.content(h)),
    segment: withReason(s.segment(h)),
    trending: withReason(t.trending),
  };
}

export function evaluate(split: Split, t: Trained, weights: Partial<Record<BlendSource, number>>, only?: string[]): ResultRow[] {
  const all = rankers(t, weights);
  return Object.entries(all)
    .filter(([name]) => !only || only.includes(name))
    .map(([name, rank]) => {
      const m = new RankingMetrics(USER_KS);
      const t0 = performance.now();
      for (const h of split.histories) m.add(rank(h, new Set(h.items)), split.targets.get(h.user)!);
      return { name, metrics: m.result(), predictions: m.predictions, catalog: t.catalog, trainSeconds: t.trainSeconds, scoreSeconds: (performance.now() - t0) / 1000 };
    });
}

/** `--validation`'s folds: each user's 2nd-, 3rd- and 4th-to-last item, the model trained without it. */
export const VALIDATION_FOLDS = [1, 2, 3] as const;

/** Rows of several folds (same rows, same order), metrics averaged over the folds, predictions summed. */
export function averageRows(folds: readonly ResultRow[][]): ResultRow[] {
  const n = folds.length;
  return folds[0]!.map((row, r) => ({
    ...row,
    name: `${row.name} (validation, ${n} folds)`,
    metrics: row.metrics.map((m, i) => {
      const at = folds.map((f) => f[r]!.metrics[i]!);
      const mean = (key: "hr" | "mrr" | "ndcg" | "coverage") => at.reduce((a, x) => a + x[key], 0) / n;
      return { k: m.k, hr: mean("hr"), mrr: mean("mrr"), ndcg: mean("ndcg"), coverage: Math.round(mean("coverage")) };
    }),
    predictions: folds.reduce((a, f) => a + f[r]!.predictions, 0),
    trainSeconds: folds.reduce((a, f) => a + f[r]!.trainSeconds, 0),
    scoreSeconds: folds.reduce((a, f) => a + f[r]!.scoreSeconds, 0),
  }));
}

/**
 * The validation folds: fold d holds out each user's (d+1)-th item from the end and trains without the last d+1.
 * Six, because the sources other than the sequence move the blend by a hit or two per fold: with three, the
 * chosen weights were confirmed on folds 4-6 before being kept (docs/personalization.md).
 */
export const TUNE_FOLDS = [1, 2, 3, 4, 5, 6] as const;
/** Weights relative to the sequence source (fixed at 1); the small values let a source break the sequence's ties. */
export const TUNE_GRID = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8] as const;
const TUNED_SOURCES = ["itemCf", "content", "segment", "trending"] as const;
/**
 * The sequence weight beside the Worker's other default weights (item-CF 1, …): below the live session's 20, so a
 * live session still leads, and above item-CF, so the history's newest items lead its older ones.
 */
export const SEQUENCE_DEFAULT_GRID = [2, 5, 10, 15] as const;

export type TuneResult = {
  weights: Record<BlendSource, number>;
  score: number;
  /** The best sequence weight in SEQUENCE_DEFAULT_GRID beside the Worker's other defaults, and its score. */
  defaultSequence: { weight: number; score: number };
  log: string[];
};

/**
 * Coordinate search of the blend weights, the sequence source fixed at 1 (normalised scores make only ratios
 * matter; it is by far the strongest source), starting from the sequence alone, two rounds over TUNE_GRID,
 * maximising mean HR@10 + NDCG@10 over the validation folds, never the test targets. Then the sequence weight that
 * goes best with the Worker's default weights. Each visitor's source lists do not depend on the weights, so they
 * are computed once per fold and only re-blended.
 */
export function tuneWeights(users: readonly UserHistory[], cats: Map<string, string[]>, log: (line: string) => void = () => {}): TuneResult {
  const folds = TUNE_FOLDS.map((drop) => {
    const split = leaveLastOut(users, drop);
    const trained = train(split.histories, cats, () => {});
    const scorers = sourceScorers(trained);
    return split.histories.map((h) => {
      const ex = new Set(h.items);
      return { ex, sources: userSources(trained, h, ex, scorers), target: split.targets.get(h.user)! };
    });
  });
  const score = (w: Partial<Record<BlendSource, number>>) => {
    let total = 0;
    for (const f of folds) {
      const m = new RankingMetrics(USER_KS);
      for (const u of f) m.add(rankBlend(u.sources, w, u.ex), u.target);
      const r = m.result()[0]!;
      total += r.ndcg + r.hr;
    }
    return total / folds.length;
  };
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };
  // Protocol 2 has no live session; its weight stays 0 here.
  const weights: Record<BlendSource, number> = { session: 0, itemCf: 0, content: 0, graph: 0, segment: 0, trending: 0, sequence: 1 };
  let best = score(weights);
  say(`sequence only: mean HR@10+NDCG@10=${best.toFixed(4)}`);
  say(`item-CF only: mean HR@10+NDCG@10=${score({ ...weights, sequence: 0, itemCf: 1 }).toFixed(4)}`);
  for (let round = 0; round < 2; round++) {
    for (const src of TUNED_SOURCES) {
      for (const v of TUNE_GRID) {
        if (v === weights[src]) continue;
        const trial = { ...weights, [src]: v };
        const s = score(trial);
        say(`round ${round + 1} ${src}=${v}: mean HR@10+NDCG@10=${s.toFixed(4)}`);
        if (s > best + 1e-9) {
          best = s;
          weights[src] = v;
        }
      }
    }
  }
  say(`best ${JSON.stringify(weights)} (validation mean HR@10+NDCG@10=${best.toFixed(4)})`);
  let defaultSequence = { weight: 0, score: -Infinity };
  for (const x of SEQUENCE_DEFAULT_GRID) {
    const s = score({ ...DEFAULT_BLEND_WEIGHTS, sequence: x });
    say(`Worker defaults + sequence=${x}: mean HR@10+NDCG@10=${s.toFixed(4)}`);
    if (s > defaultSequence.score + 1e-9) defaultSequence = { weight: x, score: s };
  }
  say(`best sequence weight beside the Worker's defaults: ${defaultSequence.weight}`);
  return { weights, score: best, defaultSequence, log: lines };
}
