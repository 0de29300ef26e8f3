// Shapes shared by the session model's trainer, its artifact codec and the serving-time scorer.

/** One neighbour in an item's list: the other item and its (possibly quantised) score. */
export type Neighbour = { itemId: string; score: number };

/**
 * An item's precomputed lists. `after`: items that tend to follow it (sequential rules, 1/distance).
 * `with`: items viewed in the same sessions (co-occurrence, idf-weighted). Both sorted by score, descending.
 */
export type NeighbourList = { after: readonly Neighbour[]; with: readonly Neighbour[] };

export type ListKind = "after" | "with";

/**
 * Why an item was recommended: the path item that contributed most, through which list, or popularity. `viewed`:
 * the only evidence was the item's own list (repeat views), so the reason names no item: a reason never names the
 * item it explains.
 */
export type Reason = { kind: ListKind; itemId: string } | { kind: "trending" } | { kind: "viewed" };

export type ScoredItem = { itemId: string; score: number; reason: Reason };

/**
 * One kind of list for every item, packed in typed arrays (a million neighbour objects would cost ~50 MB):
 * item i's neighbours are neighbours/scores[offsets[i] .. offsets[i + 1]), best first, as item numbers.
 */
export type PackedLists = { offsets: Uint32Array; neighbours: Uint32Array; scores: Float32Array };

/** The built model: per-item lists plus the global popularity list used for back-fill. */
export type SessionModel = {
  /** Item ids, index = item number. */
  items: readonly string[];
  after: PackedLists;
  with: PackedLists;
  /** Most popular items, descending, scores scaled so the first is 1. */
  popular: readonly Neighbour[];
};
