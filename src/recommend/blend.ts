// Blends candidate lists from several sources: each source's scores are divided by its own best score (sources
// score on unrelated scales), weighted, and summed; an item keeps the reason of its strongest weighted source.
import type { BlendSource } from "../schemas/site-config";

export type { BlendSource };

/**
 * Tuned with `npm run eval -- --protocol users … --tune` (coordinate search on MovieLens' second-to-last items,
 * never the test targets; docs/personalization.md). The session
 * model leads whenever a live session exists: on session-only traffic the blend must not be worse than it.
 */
export const DEFAULT_BLEND_WEIGHTS: Readonly<Record<BlendSource, number>> = {
  session: 1,
  itemCf: 1,
  content: 0.1,
  segment: 0.4,
  // Popularity adds nothing once segment popularity is in (validation says 0); it still back-fills short lists.
  trending: 0,
};

export type SourceCandidate<R> = { itemId: string; score: number; reason: R };
export type Blended<R> = { itemId: string; score: number; source: BlendSource; reason: R };

export function blend<R>(
  sources: Partial<Record<BlendSource, readonly SourceCandidate<R>[]>>,
  weights: Partial<Record<BlendSource, number>> = {},
): Blended<R>[] {
  const w = { ...DEFAULT_BLEND_WEIGHTS, ...weights };
  const acc = new Map<string, { score: number; best: number; source: BlendSource; reason: R }>();
  for (const [name, list] of Object.entries(sources) as [BlendSource, readonly SourceCandidate<R>[]][]) {
    if (!list || list.length === 0 || !(w[name] > 0)) continue;
    const max = list.reduce((m, c) => Math.max(m, c.score), 0);
    list.forEach((c, rank) => {
      // A source without scores (all zero) still ranks: fall back to 1 / (rank + 1).
      const norm = max > 0 ? c.score / max : 1 / (rank + 1);
      const v = w[name] * norm;
      const a = acc.get(c.itemId);
      if (!a) acc.set(c.itemId, { score: v, best: v, source: name, reason: c.reason });
      else {
        a.score += v;
        if (v > a.best) {
          a.best = v;
          a.source = name;
          a.reason = c.reason;
        }
      }
    });
  }
  return [...acc]
    .map(([itemId, a]) => ({ itemId, score: a.score, source: a.source, reason: a.reason }))
    .sort((x, y) => y.score - x.score || (x.itemId < y.itemId ? -1 : 1));
}
