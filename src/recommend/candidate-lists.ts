// Candidate lists built from precomputed per-item lists (content from seed items, the first k of a ranked list):
// shared by the content source (src/recommend/sources/content.ts) and the evaluation CLI.
import type { CandidateScore } from "./item-cf";
import { topKOfMap } from "./top-k";
import type { Neighbour } from "./types";

/** How many seed items feed the content source, and how many candidates it returns. */
export type ContentSeedOptions = { maxSeeds?: number; k?: number };

export const DEFAULT_CONTENT_SEEDS = 5;

/**
 * Content candidates from seed items, newest (or the item on screen) first: each seed's neighbours count with a
 * linearly falling weight (1, (m-1)/m, …, 1/m for m seeds), summed; the reason is the seed that gave most. A first
 * view alone is enough, so a brand-new visitor already gets related items, and any catalog item can be a candidate.
 */
export function contentCandidates(
  seeds: readonly string[],
  lists: (itemId: string) => readonly Neighbour[] | undefined,
  opts: ContentSeedOptions = {},
): CandidateScore[] {
  const unique = [...new Set(seeds)].slice(0, opts.maxSeeds ?? DEFAULT_CONTENT_SEEDS);
  const acc = new Map<string, { score: number; best: number; from: string }>();
  unique.forEach((seed, i) => {
    const w = (unique.length - i) / unique.length;
    for (const n of lists(seed) ?? []) {
      const v = n.score * w;
      const a = acc.get(n.itemId);
      if (!a) acc.set(n.itemId, { score: v, best: v, from: seed });
      else {
        a.score += v;
        if (v > a.best) {
          a.best = v;
          a.from = seed;
        }
      }
    }
  });
  return topKOfMap(acc, opts.k, (a) => a.score).map(([itemId, a]) => ({ itemId, score: a.score, from: a.from }));
}

/** The first k entries of a ranked list that pass `keep` (popular, segment favourites, trending). */
export function firstK(list: readonly Neighbour[], k: number, keep: (itemId: string) => boolean = () => true): Neighbour[] {
  const out: Neighbour[] = [];
  for (const n of list) {
    if (out.length >= k) break;
    if (keep(n.itemId)) out.push(n);
  }
  return out;
}
