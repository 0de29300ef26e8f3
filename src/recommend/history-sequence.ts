// The "sequence" candidate source: a returning visitor's own history read as one session path and scored by the
// session model (scoreSession over the artifact's after/with lists), because people act in bursts and what they
// did last predicts what they do next better than their whole history does (issue 9, docs/personalization.md).
import { DEFAULT_SCORE_OPTIONS, itemsToLookUp, scoreSession, type ScoreOptions } from "./score-session";
import type { NeighbourList, Reason } from "./types";

export type SequenceOptions = Partial<Omit<ScoreOptions, "popular">> & { k: number };

/**
 * One candidate; `from` is the history item whose list gave it most (null: only the item's own list did), and
 * `reason` the session scorer's reason (which list of which history item), what a shopper is shown.
 */
export type SequenceCandidate = { itemId: string; score: number; from: string | null; reason: Reason };

/**
 * Scores a visitor's history, newest first (the order the Worker keeps it in), as the session path it ends with:
 * the newest `maxPath` items (the session scorer's own default unless given) go through scoreSession with the
 * session model's lists. No popularity back-fill: other sources fill the blend. History items are not removed
 * (the caller's exclusions do that), so ask for k plus the history's length to keep k new items.
 */
export function sequenceCandidates(
  historyNewestFirst: readonly string[],
  lookup: (itemId: string) => NeighbourList | undefined,
  opts: SequenceOptions,
): SequenceCandidate[] {
  const path = sequencePath(historyNewestFirst, opts);
  return scoreSession(path, lookup, { ...opts, popular: undefined }).map((s) => ({
    itemId: s.itemId,
    score: s.score,
    from: s.reason.kind === "after" || s.reason.kind === "with" ? s.reason.itemId : null,
    reason: s.reason,
  }));
}

/** The distinct history items sequenceCandidates may look up, newest first: fetch their shards in one batch first. */
export function sequenceItemsToLookUp(historyNewestFirst: readonly string[], opts: Pick<SequenceOptions, "maxPath"> = {}): string[] {
  return itemsToLookUp(sequencePath(historyNewestFirst, opts), opts);
}

/** The scorer's path (oldest first): only the newest maxPath entries can count, so only those are reversed. */
function sequencePath(historyNewestFirst: readonly string[], opts: Pick<SequenceOptions, "maxPath">): string[] {
  return historyNewestFirst.slice(0, opts.maxPath ?? DEFAULT_SCORE_OPTIONS.maxPath).reverse();
}
