// Sequence source: a returning visitor's own history, newest first, read as the session path it ends with and
// scored by the session model's lists (people act in bursts: what they did last predicts what they do next). It
// reads the session artifact's families and trains nothing of its own.
import { sessionLists } from "../../models/shards";
import { sequenceCandidates, sequenceItemsToLookUp } from "../history-sequence";
import { SESSION_LIST_FAMILIES, type CandidateSource, type SourceContext } from "./types";

const historyIds = (ctx: SourceContext) => ctx.history.map((h) => h.itemId);

export const sequenceSource = {
  name: "sequence",
  // Best of {2, 5, 10, 15} beside the other defaults on MovieLens' protocol-2 validation folds (docs/personalization.md);
  // below the live session's 20, so a live session still leads.
  defaultWeight: 15,
  normalise: "max",
  evidence: true,
  families: SESSION_LIST_FAMILIES,
  trains: "nothing of its own: the session source's 'after' and 'with' lists, scored over the visitor's newest history items",
  seeds: (ctx) => (ctx.history.length > 0 ? sequenceItemsToLookUp(historyIds(ctx)) : []),
  candidates(ctx, view, pool) {
    if (ctx.history.length === 0) return [];
    const lookup = (id: string) => {
      const l = view.session(id);
      return l && sessionLists(l);
    };
    // The history's own items are usually the best-scored (repeat views) and are left out later: ask for that many more.
    return sequenceCandidates(historyIds(ctx), lookup, { k: pool + ctx.history.length }).map((c) => ({ itemId: c.itemId, score: c.score, reason: c.reason }));
  },
  // The history alone.
  historyKey: () => "",
  personal: () => true,
} as const satisfies CandidateSource<"sequence">;
