// Segment favourites: each segment's most interacted items (event-type weighted, each visitor's weight per item
// capped like trending's), computed by this one accumulator for the Worker's retrain and the evaluation alike.
import { TRENDING_VISITOR_ITEM_CAP } from "../config/limits";
import { ITEM_CF_WEIGHTS, type EventType } from "../schemas/event-types";
import type { Neighbour } from "./types";
import { VisitorCappedCounts } from "./visitor-capped-counts";

/** Favourites kept per segment. */
export const SEGMENT_FAVOURITES = 100;

/**
 * `push` a visitor's interactions (all of one visitor's rows together, as the Worker's keyset-paged history and the
 * evaluation's per-user histories arrive), then `lists()`. Visitors without a segment are skipped.
 */
export class SegmentFavourites {
  private readonly counts: VisitorCappedCounts[];

  constructor(
    private readonly segmentOf: ReadonlyMap<string, number>,
    segments: number,
    private readonly weights: Readonly<Record<EventType, number>> = ITEM_CF_WEIGHTS,
    cap = TRENDING_VISITOR_ITEM_CAP,
  ) {
    this.counts = Array.from({ length: segments }, () => new VisitorCappedCounts(cap));
  }

  push(visitorId: string, itemId: string, type: EventType): void {
    const s = this.segmentOf.get(visitorId);
    if (s !== undefined) this.counts[s]?.push(visitorId, itemId, this.weights[type]);
  }

  /** Up to `limit` items per segment, best first (ties by item id), scores scaled so each segment's first is 1. */
  lists(limit = SEGMENT_FAVOURITES): Neighbour[][] {
    return this.counts.map((counts) => {
      const list = [...counts.totals()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, limit);
      const max = list[0]?.[1] || 1;
      return list.map(([itemId, score]) => ({ itemId, score: score / max }));
    });
  }
}
