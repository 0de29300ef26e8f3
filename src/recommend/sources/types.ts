// The candidate-source interface of the one recommendation pipeline (../pipeline.ts): a source names itself, says
// which per-item list families it reads and how they are trained, and turns a request's context into scored
// candidates with reasons. Pure TypeScript: the Worker and the evaluation CLI run the same sources.
import type { FamilyLists } from "../../models/artifact";
import type { EventType } from "../../schemas/event-types";
import type { Normalisation, SourceCandidate } from "../blend";
import type { BlendReason } from "../explain";
import type { RerankModel } from "../rerank";
import type { Neighbour } from "../types";

/** One item of the visitor's history (newest first in a context): its strongest interaction and latest time. */
export type HistoryEntry = { itemId: string; ts: number; type: EventType; purchases: number };

/** What a request knows about the visitor and the page, assembled before any source runs. */
export type SourceContext = {
  /** The live session's path plus the item on screen as its newest step, oldest first (may be empty). */
  path: readonly string[];
  /** The item on screen, if any. */
  current?: string;
  /** The visitor's item history, newest first (empty for an anonymous newcomer or a declined visitor). */
  history: readonly HistoryEntry[];
  /** The visitor's behavioural segment, when a segment model exists and the visitor has a profile. */
  segment: number | null;
  /** Request time (ms), for recency weighting. */
  now: number;
};

/** The artifacts a model version stores: the session statistics' lists, and the lists rebuilt from scratch each retrain. */
export type ArtifactName = "session" | "personal";

/**
 * The decoded artifact as lookups (the Worker's from KV shards, the evaluation's in memory over the same codec) and
 * the version's list-level data. A family a version lacks reads as undefined; a source then yields nothing.
 */
export type ArtifactView = {
  session: (itemId: string) => FamilyLists | undefined;
  personal: (itemId: string) => FamilyLists | undefined;
  trending: readonly Neighbour[];
  trendingByCategory?: Readonly<Record<string, readonly Neighbour[]>>;
  segmentPopular?: readonly (readonly Neighbour[])[];
  /** The version's fitted re-ranker (src/recommend/rerank.ts); absent = the blend's order. */
  rerank?: RerankModel | null;
};

/** One history or catalog row as the retrain streams it (profiles in turn, time order within one). */
export type HistoryRow = { profileId: string; itemId: string; type: EventType; ts: number };
export type CatalogItem = { id: string; categories: readonly string[]; tags: readonly string[] };

/** Per-item lists, index-aligned with `items`, best first: what a family trainer hands to the artifact codec. */
export type FamilyBuild = { items: readonly string[]; lists: readonly (readonly Neighbour[])[] };

/**
 * Trains one family of the personal artifact in the retrain: it is fed every catalog item and every history row
 * (the pushes it does not define are skipped), then built once. The evaluation feeds it the same way.
 */
export type FamilyTrainer = {
  pushCatalog?(item: CatalogItem): void;
  pushHistory?(row: HistoryRow): void;
  build(): FamilyBuild;
};

/**
 * A per-item list family a source reads. Session families are built from the incremental session statistics
 * (src/models/train.ts); personal families are rebuilt from scratch each retrain by their own trainer.
 */
export type FamilySpec = { readonly artifact: "session"; readonly family: string } | { readonly artifact: "personal"; readonly family: string; trainer(): FamilyTrainer };

export type CandidateSource<N extends string = string> = {
  readonly name: N;
  /** Blend weight when a site sets none: tuned with the evaluation CLI (docs/personalization.md). */
  readonly defaultWeight: number;
  /** How the blend puts its scores on the common scale (src/recommend/blend.ts). */
  readonly normalise: Normalisation;
  /** Whether its candidates are evidence; items only a non-evidence source (trending) gave are back-fill. */
  readonly evidence: boolean;
  /** The per-item list families it reads (empty for list-level sources like trending). */
  readonly families: readonly FamilySpec[];
  /** How its data is trained, in words (docs/sources.md, `GET /admin/sources`). */
  readonly trains: string;
  /** The items whose per-item lists it reads for this context (the Worker loads their shards before scoring). */
  seeds(ctx: SourceContext): readonly string[];
  /**
   * About `pool` candidates (at least that many when it has them), best first, each with the reason a shopper is
   * shown if this source is its strongest. A larger pool's list starts with a smaller one's (every source selects by
   * one total order), so the pipeline may use a list computed for a larger pool: it cuts each list itself.
   */
  candidates(ctx: SourceContext, view: ArtifactView, pool: number): SourceCandidate<BlendReason>[];
  /**
   * Only for a source that reads the visitor's history and not the live path: the other request inputs its
   * candidates depend on, as a string. Such candidates are reused while the visitor's history snapshot and the model
   * version stay the same (the pipeline's `memo`): a page's several slots and the lists after each click compute
   * them once. Absent: computed on every request.
   */
  historyKey?(ctx: SourceContext): string;
  /**
   * Whether a candidate is the visitor's own evidence (for `personalized`): `own` holds the visitor's live session
   * path and history. Neighbours of the item on screen alone (a product page, anyone) are not.
   */
  personal(c: SourceCandidate<BlendReason>, own: ReadonlySet<string>): boolean;
};

/** The session artifact's two families, read by the session and sequence sources. */
export const SESSION_LIST_FAMILIES: readonly FamilySpec[] = [
  { artifact: "session", family: "after" },
  { artifact: "session", family: "with" },
];
