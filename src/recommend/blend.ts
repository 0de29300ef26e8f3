// Blends candidate lists from several sources: each source's scores are divided by its own best score (sources
// score on unrelated scales), weighted, and summed; an item keeps the reason of its strongest weighted source.
import type { BlendSource } from "../schemas/site-config";
import { SOURCE_WEIGHTS } from "./sources";
import { topKOfMap } from "./top-k";

export type { BlendSource };

/**
 * Each registered source's default weight (src/recommend/sources/): tuned with the evaluation CLI, never by hand and
 * never on test targets (docs/personalization.md). A live session leads; the visitor's history and content re-rank
 * and fill behind it, and carry the list alone when there is no session.
 */
export const DEFAULT_BLEND_WEIGHTS: Readonly<Record<BlendSource, number>> = SOURCE_WEIGHTS;

/** One source's candidate, best first in its list; `reason` travels with the item if this source is its strongest. */
export type SourceCandidate<R> = { itemId: string; score: number; reason: R };
/** A blended candidate: summed weighted normalised score, and the strongest source with its reason. */
export type Blended<R> = { itemId: string; score: number; source: BlendSource; reason: R };

/**
 * How a source's scores are put on a common scale: `max` divides by the source's best score (keeps the source's
 * own gaps), `rank` uses 1 / (rank + 1) (only the order counts; robust to heavy-tailed scores), `raw` takes the
 * scores as they are (a source whose scores are already probabilities in [0, 1], like the graph's).
 */
export type Normalisation = "max" | "rank" | "raw";

export type BlendOptions<R = unknown> = {
  normalise?: Partial<Record<BlendSource, Normalisation>>;
  /**
   * The item a reason names, if any. A candidate's reason naming the candidate itself (an item's own with-list holds
   * it) still scores but never becomes the item's reason: the next-strongest source's reason does, or `generic`.
   */
  names?: (reason: R) => string | undefined;
  generic?: R;
};

/**
 * Merges the sources' lists (each sorted best first) into one list, best first (ties by item id). A source with
 * weight 0 (or missing from a site's weights and 0 by default) is skipped entirely.
 */
export function blend<R>(
  sources: Partial<Record<BlendSource, readonly SourceCandidate<R>[]>>,
  weights: Partial<Record<BlendSource, number>> = {},
  opts: BlendOptions<R> = {},
): Blended<R>[] {
  const w = { ...DEFAULT_BLEND_WEIGHTS, ...weights };
  const acc = new Map<string, { score: number; best: number; source: BlendSource; reason: R }>();
  for (const [name, list] of Object.entries(sources) as [BlendSource, readonly SourceCandidate<R>[]][]) {
    if (!list || list.length === 0 || !(w[name] > 0)) continue;
    let max = 0;
    for (const c of list) if (c.score > max) max = c.score;
    // A source without scores (all zero) still ranks: fall back to 1 / (rank + 1).
    const how = opts.normalise?.[name] ?? "max";
    const byRank = how === "rank" || (how === "max" && !(max > 0));
    const weight = w[name];
    for (let rank = 0; rank < list.length; rank++) {
      const c = list[rank]!;
      const norm = how === "raw" ? c.score : byRank ? 1 / (rank + 1) : c.score / max;
      const v = weight * norm;
      const generic = opts.names !== undefined && opts.names(c.reason) === c.itemId ? opts.generic : undefined;
      const self = generic !== undefined;
      const a = acc.get(c.itemId);
      if (!a) acc.set(c.itemId, { score: v, best: self ? -Infinity : v, source: name, reason: generic ?? c.reason });
      else {
        a.score += v;
        if (!self && v > a.best) {
          a.best = v;
          a.source = name;
          a.reason = c.reason;
        }
      }
    }
  }
  return topKOfMap(acc, undefined, (a) => a.score).map(([itemId, a]) => ({ itemId, score: a.score, source: a.source, reason: a.reason }));
}
