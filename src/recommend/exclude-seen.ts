// Drops items the visitor has already seen in this session from a ranked list, then cuts it at k. This is what a
// "next for you" slot serves, so it is shared: the evaluation's new-items protocol (EVAL.md §1b) calls it for every
// algorithm, and the pipeline (src/recommend/pipeline.ts, through listExclusions) leaves them out of every served list.

/** Anything with an item id: a plain id, or a scored/blended candidate. */
export type RankedEntry = string | { readonly itemId: string };

const idOf = (e: RankedEntry): string => (typeof e === "string" ? e : e.itemId);

/**
 * The entries of `ranked` (best first) whose item is not in `seen`, in their original order, at most `k` of them.
 * Removal happens before the cut, so a list that ranks seen items on top still yields k unseen ones when it holds
 * them: callers should ask their source for k + (number of distinct seen items) candidates.
 */
export function excludeSeen<T extends RankedEntry>(ranked: readonly T[], seen: Iterable<string>, k: number = Infinity): T[] {
  const drop = new Set(seen); // a session path is short (SessionState keeps at most 50 steps)
  const out: T[] = [];
  for (const e of ranked) {
    if (out.length >= k) break;
    if (!drop.has(idOf(e))) out.push(e);
  }
  return out;
}

/**
 * What a list leaves out: the request's `exclude`, and what the session already saw (else two items whose lists
 * point at each other make clicks ping-pong between them), or with `includeViewed` only the item on screen, which
 * never shows. Used by every route that serves a list.
 */
export function listExclusions(opts: { path: readonly string[]; current?: string; includeViewed?: boolean; exclude?: readonly string[] }): Set<string> {
  const seen = opts.includeViewed === true ? (opts.current !== undefined ? [opts.current] : []) : opts.path;
  return new Set([...(opts.exclude ?? []), ...seen]);
}
