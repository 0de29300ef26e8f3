// Item-CF source: the visitor's history (newest first) spread over item-to-item collaborative-filtering lists
// trained from every visitor's history in each retrain (the personal artifact's "itemCf" family).
import { historyReason } from "../explain";
import { ItemCfTrainer, scoreHistory } from "../item-cf";
import type { CandidateSource, FamilyTrainer } from "./types";

function itemCfTrainer(): FamilyTrainer {
  const t = new ItemCfTrainer();
  return { pushHistory: (r) => t.push(r.profileId, r.itemId, r.ts, r.type), build: () => t.build() };
}

export const itemCfSource = {
  name: "itemCf",
  // The reference weight the others were tuned against on MovieLens (docs/personalization.md).
  defaultWeight: 1,
  normalise: "max",
  evidence: true,
  families: [{ artifact: "personal", family: "itemCf", trainer: itemCfTrainer }],
  trains: "item-to-item CF over every visitor's history (event-type weighted, time-damped, cosine-like), top-K per item (src/recommend/item-cf.ts), rebuilt each retrain",
  seeds: (ctx) => ctx.history.map((h) => h.itemId),
  candidates(ctx, view, pool) {
    if (ctx.history.length === 0) return [];
    const entries = ctx.history.map((h) => ({ itemId: h.itemId, ts: h.ts, type: h.type }));
    return scoreHistory(entries, (id) => view.personal(id)?.itemCf, { now: ctx.now, k: pool }).map((c) => ({
      itemId: c.itemId,
      score: c.score,
      reason: historyReason(c.from, c.fromType),
    }));
  },
  // The history alone. Its time damping (30-day half-life) is then taken when the list was first computed: reused
  // for at most VISITOR_CONTEXT_MS + VISITOR_CONTEXT_STALE_MS, that moves a weight by under 3 parts in 100,000.
  historyKey: () => "",
  personal: () => true,
} as const satisfies CandidateSource<"itemCf">;
