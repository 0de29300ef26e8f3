// Session source: the live session's path (plus the item on screen) scored against the session artifact's
// sequential-rule ("after") and co-occurrence ("with") lists. The strongest source whenever there is a path.
import { sessionLists } from "../../models/shards";
import { reasonItem } from "../explain";
import { DEFAULT_SCORE_OPTIONS, scoreSession } from "../score-session";
import { SESSION_LIST_FAMILIES, type CandidateSource, type SourceContext } from "./types";

/** The scorer only looks at the newest maxPath distinct items; a little more than that is looked up. */
function scoredPath(ctx: SourceContext): readonly string[] {
  return ctx.path.slice(-DEFAULT_SCORE_OPTIONS.maxPath * 2);
}

export const sessionSource = {
  name: "session",
  // Tuned on yoochoose train's last day against trending (docs/personalization.md): a live session leads.
  defaultWeight: 20,
  normalise: "max",
  evidence: true,
  families: SESSION_LIST_FAMILIES,
  trains:
    "per-item 'after' (items that follow it, 1/distance) and 'with' (viewed in the same sessions, idf-weighted) lists, built from session statistics counted incrementally from the raw log and SessionDO deltas (src/models/train.ts)",
  seeds: scoredPath,
  candidates(ctx, view, pool) {
    const path = scoredPath(ctx);
    if (path.length === 0) return [];
    // Path items are usually among the best-scored (repeat views) and are then left out: ask for that many more.
    const scored = scoreSession(path, (id) => {
      const l = view.session(id);
      return l && sessionLists(l);
    }, { k: pool + new Set(path).size });
    return scored.map((s) => ({ itemId: s.itemId, score: s.score, reason: s.reason }));
  },
  // The path items a reason names are the visitor's own when the path is their session (not only the item on screen).
  personal: (c, own) => {
    const from = reasonItem(c.reason);
    return from === undefined ? own.has(c.itemId) : own.has(from);
  },
} as const satisfies CandidateSource<"session">;
