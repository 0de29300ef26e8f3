// The one back-fill of every list (/v1/sessions/:id/next, /v1/recommendations, /v1/items/:id/similar): when the
// evidence yields fewer than k items, items trending in the categories of the item on screen come first, then
// global trending. Pure; callers load the lists and drop what is excluded or unavailable.
import type { Neighbour } from "./types";

export type BackfillReason = { kind: "trending_in_category"; category: string } | { kind: "trending" };
export type BackfillCandidate = { itemId: string; score: number; reason: BackfillReason };

/**
 * Back-fill candidates, best first, each item once and at most `limit` of them: the trending lists of `categories`
 * (the item on screen's, in catalog order; empty when unknown) and then `trending`. Scores are 0: a back-filled item
 * ranks below every item that real evidence produced.
 */
export function backfillCandidates(
  categories: readonly string[],
  byCategory: Readonly<Record<string, readonly Neighbour[]>> | undefined,
  trending: readonly Neighbour[],
  limit: number,
): BackfillCandidate[] {
  const out: BackfillCandidate[] = [];
  const seen = new Set<string>();
  const push = (itemId: string, reason: BackfillReason) => {
    if (out.length >= limit || seen.has(itemId)) return;
    seen.add(itemId);
    out.push({ itemId, score: 0, reason });
  };
  for (const category of categories) for (const n of byCategory?.[category] ?? []) push(n.itemId, { kind: "trending_in_category", category });
  for (const n of trending) push(n.itemId, { kind: "trending" });
  return out;
}
