// Segment source: the favourites of the visitor's behavioural segment (segments.ts; favourites by SegmentFavourites),
// stored in the version's personal data rather than per-item lists, indexed by stable segment id.
import { NEW_VISITOR_SEGMENT } from "../segments";
import type { CandidateSource } from "./types";

export const segmentSource = {
  name: "segment",
  defaultWeight: 0.2,
  normalise: "max",
  evidence: true,
  families: [],
  trains: "behavioural segments (k-means, Gaussian mixture or DBSCAN, chosen by silhouette and Davies-Bouldin, ids stable across retrains) over profile behaviour and context, then each segment's most interacted items, visitor-capped (src/recommend/segments.ts, segment-favourites.ts), in the version's personal data; new visitors get none",
  seeds: () => [],
  candidates(ctx, view, pool) {
    // A new visitor (below the minimum evidence) is not "a shopper like" anyone yet: no segment candidates.
    if (ctx.segment === null || ctx.segment === NEW_VISITOR_SEGMENT) return [];
    return (view.segmentPopular?.[ctx.segment] ?? []).slice(0, pool).map((n) => ({ itemId: n.itemId, score: n.score, reason: { kind: "segment" as const } }));
  },
  personal: () => true,
} as const satisfies CandidateSource<"segment">;
