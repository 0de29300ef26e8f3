// Serving-time scoring of a live session: a position-decayed sum of the path items' precomputed lists, plus an
// extra pull from the last item's successors, back-filled from popularity. Pure: `lists` does the lookups.
import { topKOfMap } from "./top-k";
import type { ListKind, NeighbourList, Neighbour, ScoredItem } from "./types";

export type ScoreOptions = {
  /** How many items to return. */
  k: number;
  /** Weight of a path item d steps before the last: max(0, 1 - linearDecay * d) * expDecay^d. */
  linearDecay: number;
  expDecay: number;
  /** Only the last maxPath steps of the path are scored (see itemsToLookUp). */
  maxPath: number;
  /** Weight of the successor ("after") lists of every path item. */
  afterWeight: number;
  /** Weight of the co-occurrence ("with") lists of every path item. */
  withWeight: number;
  /** Extra weight on the last item's successor list (what comes right after the current page). */
  lastAfterWeight: number;
  /**
   * A path item's own with-entry (the pull back to an item viewed earlier), d >= 1 steps back, weighs
   * olderSelfWeight · expDecay · selfDecay^(d - 1) (times the linear factor) instead of the list weight; the newest
   * item's own entry keeps the list weight. 1 and expDecay give every entry the same weight.
   */
  olderSelfWeight: number;
  selfDecay: number;
  /** An item seen several times counts once at its latest position ("latest") or once per visit ("sum"). */
  repeats: "latest" | "sum";
  /** Global popularity list for back-fill when the path yields fewer than k items. */
  popular?: readonly Neighbour[];
};

// Tuned on the yoochoose validation day (docs/model.md). The weights are relative to the list scales that
// build-model produces (after: conditional frequencies <= 1; with: idf-weighted, larger), so they move together.
export const DEFAULT_SCORE_OPTIONS: ScoreOptions = {
  k: 20,
  linearDecay: 0,
  expDecay: 0.6,
  maxPath: 10,
  afterWeight: 4,
  withWeight: 1,
  lastAfterWeight: 5,
  // Revisits of older path items fall off more slowly than their lists (11.5% of next clicks on train's last day
  // return to the item one step back, 6.6% two steps, 4.3% three, 3.4% four) but start lower than the lists'
  // weight, so the best new candidate can rank above the previous item (docs/model.md, issue 9 part 8).
  olderSelfWeight: 0.5,
  selfDecay: 0.9,
  repeats: "latest",
};

/** `from` null: only the item's own list contributed so far (see the Reason type). */
type Acc = { score: number; best: number; from: string | null; kind: ListKind };

/**
 * Ranks items for a session path (oldest first). Unknown path items (no lists) are skipped; the reason for each
 * item is the path item other than itself whose list contributed most to it. Items already in the path are not
 * excluded: repeat views are the most common next step (filter them downstream where a product wants that).
 */
export function scoreSession(
  path: readonly string[],
  lists: (itemId: string) => NeighbourList | undefined,
  options: Partial<ScoreOptions> = {},
): ScoredItem[] {
  const o = { ...DEFAULT_SCORE_OPTIONS, ...options };
  const acc = new Map<string, Acc>();
  const add = (n: Neighbour, w: number, from: string, kind: ListKind) => {
    const v = n.score * w;
    // An item's with-list holds the item itself (repeat views, build-model `withSelf`): it scores, but a reason
    // "often viewed with X" for X itself would be nonsense, so it never becomes the reason.
    const self = n.itemId === from;
    const a = acc.get(n.itemId);
    if (a === undefined) acc.set(n.itemId, self ? { score: v, best: -Infinity, from: null, kind } : { score: v, best: v, from, kind });
    else {
      a.score += v;
      if (!self && v > a.best) {
        a.best = v;
        a.from = from;
        a.kind = kind;
      }
    }
  };

  forEachContribution(path, lists, o, add);

  const out: ScoredItem[] = topKOfMap(acc, o.k, (a) => a.score, (a) => a.score > 0).map(([itemId, a]) => ({
    itemId,
    score: a.score,
    reason: a.from === null ? { kind: "viewed" } : { kind: a.kind, itemId: a.from },
  }));
  if (out.length < o.k && o.popular) {
    const have = new Set(out.map((r) => r.itemId));
    for (const p of o.popular) {
      if (out.length >= o.k) break;
      if (have.has(p.itemId)) continue;
      out.push({ itemId: p.itemId, score: 0, reason: { kind: "trending" } });
    }
  }
  return out;
}

/**
 * The scorer's sum, term by term: `visit(neighbour, weight, pathItem, list, d)` for every list entry a path item
 * contributes (score = Σ neighbour.score · weight), d = distinct steps back from the newest known item. One
 * implementation shared by `scoreSession` and the re-ranker's features (src/recommend/rerank.ts).
 */
export function forEachContribution(
  path: readonly string[],
  lists: (itemId: string) => NeighbourList | undefined,
  o: ScoreOptions,
  visit: (n: Neighbour, w: number, from: string, kind: ListKind, d: number) => void,
): void {
  // d counts steps back from the newest known item. Unknown items (new since the last build, or a shard that
  // failed to load) are skipped outright; a repeated item keeps only its latest visit but still uses up a step.
  const seen = new Set<string>();
  let d = 0;
  let newest = true;
  for (let p = path.length - 1; p >= Math.max(0, path.length - o.maxPath); p--) {
    const item = path[p];
    if (o.repeats === "latest" && seen.has(item)) {
      d++;
      continue;
    }
    const l = lists(item);
    if (l === undefined) continue;
    seen.add(item);
    const w = Math.max(0, 1 - o.linearDecay * d) * Math.pow(o.expDecay, d);
    if (w <= 0) break;
    const wAfter = w * o.afterWeight + (newest ? o.lastAfterWeight : 0);
    if (wAfter > 0) for (const n of l.after) visit(n, wAfter, item, "after", d);
    const wSelf = d === 0 ? w : Math.max(0, 1 - o.linearDecay * d) * o.olderSelfWeight * o.expDecay * Math.pow(o.selfDecay, d - 1);
    if (o.withWeight > 0) for (const n of l.with) visit(n, (n.itemId === item ? wSelf : w) * o.withWeight, item, "with", d);
    newest = false;
    d++;
  }
}

/**
 * The distinct path items scoreSession may look up (newest first), so a caller can fetch their shards in one
 * parallel batch before scoring synchronously.
 */
export function itemsToLookUp(path: readonly string[], options: Partial<Pick<ScoreOptions, "maxPath">> = {}): string[] {
  const maxPath = options.maxPath ?? DEFAULT_SCORE_OPTIONS.maxPath;
  return [...new Set(path.slice(-maxPath).reverse())];
}
