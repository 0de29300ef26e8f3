// Segment source: the favourites of the visitor's behavioural segment (k-means over profile behaviour; favourites by
// SegmentFavourites), stored in the version's personal data rather than per-item lists.
import type { CandidateSource } from "./types";

export const segmentSource = {
  name: "segment",
  defaultWeight: 0.2,
  normalise: "max",
  evidence: true,
  families: [],
  trains: "k-means segments over profile behaviour summaries, then each segment's most interacted items, visitor-capped (src/recommend/segments.ts, segment-favourites.ts), in the version's personal data",
  seeds: () => [],
  candidates(ctx, view, pool) {
    if (ctx.segment === null) return [];
    return (view.segmentPopular?.[ctx.segment] ?? []).slice(0, pool).map((n) => ({ itemId: n.itemId, score: n.score, reason: { kind: "segment" as const } }));
  },
  personal: () => true,
} as const satisfies CandidateSource<"segment">;
