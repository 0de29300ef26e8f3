// A user history (MovieLens, JD) as the segments' behaviour summary: each interaction a view, sessions split at
// 30-minute gaps, through the one in-memory summariser (src/recommend/segment-features.ts summaryFromEvents).
import { summaryFromEvents, type BehaviourSummary, type SummaryEvent } from "../../src/recommend/segment-features";
import type { UserHistory } from "./read-users";

export const HISTORY_SESSION_GAP_MS = 30 * 60_000;

export function historyEvents(h: UserHistory): SummaryEvent[] {
  let session = 0;
  return h.items.map((itemId, i) => {
    if (i > 0 && (h.times[i]! - h.times[i - 1]!) * 1000 > HISTORY_SESSION_GAP_MS) session++;
    return { type: "view", ts: h.times[i]! * 1000, sessionId: `${h.user}:${session}`, itemId };
  });
}

export function historySummary(h: UserHistory, categories: ReadonlyMap<string, readonly string[]>): BehaviourSummary {
  return summaryFromEvents(historyEvents(h), (id) => categories.get(id));
}
