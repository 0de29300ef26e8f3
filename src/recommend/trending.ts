// Trending's pure steps after the query: the one decayed, capped, damped popularity is TRENDING_SQL
// (src/storage/trending-sql.ts), run by the Worker on D1 and by the evaluation on node:sqlite; these turn its list
// into what the artifact stores, for the Worker's retrain and the evaluation alike.
import type { Neighbour } from "./types";

/** Trending items kept per catalog category (cut from the global list, best first). */
export const CATEGORY_TRENDING = 20;

/** Scores scaled so the best item has 1 (the form artifacts store). */
export function normalised(list: readonly { itemId: string; score: number }[]): Neighbour[] {
  const max = list[0]?.score || 1;
  return list.map((t) => ({ itemId: t.itemId, score: t.score / max }));
}

/**
 * Trending per category: the global trending list (best first) cut by each item's categories, up to `perCategory`
 * per category, in the global order. Items without categories appear in no list.
 */
export function trendingByCategory(
  trending: readonly Neighbour[],
  categoriesOf: (itemId: string) => readonly string[] | undefined,
  perCategory = CATEGORY_TRENDING,
): Record<string, Neighbour[]> {
  const out: Record<string, Neighbour[]> = {};
  for (const t of trending) {
    for (const c of categoriesOf(t.itemId) ?? []) {
      const list = (out[c] ??= []);
      if (list.length < perCategory) list.push(t);
    }
  }
  return out;
}
