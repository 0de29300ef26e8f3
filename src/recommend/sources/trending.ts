// Trending source: the version's time-decayed, visitor-capped popularity (TRENDING_SQL). It re-ranks evidence a
// little; items only it produced are back-fill, ordered by the shared back-fill (item on screen's category first).
import type { CandidateSource } from "./types";

export const trendingSource = {
  name: "trending",
  defaultWeight: 0.1,
  normalise: "max",
  // Popularity is no evidence about this visitor: an item only trending gave is back-fill.
  evidence: false,
  families: [],
  trains: "TRENDING_SQL over the last 7 days of events (src/storage/trending-sql.ts), in each version and refreshed between retrains",
  seeds: () => [],
  candidates: (_ctx, view, pool) => view.trending.slice(0, pool).map((n) => ({ itemId: n.itemId, score: n.score, reason: { kind: "trending" as const } })),
  personal: () => false,
} as const satisfies CandidateSource<"trending">;
