// Per-item popularity where each visitor's contribution to one item is capped: trending's per-visitor rule
// (SQL in storage/trending-sql.ts) for counts made in TypeScript, such as segment favourites.

/**
 * A streaming accumulator: `push` weighted interactions grouped by visitor (all of one visitor's rows together, as
 * the keyset-paged history arrives), then `totals()`. A visitor's weights on one item sum to at most `cap`.
 */
export class VisitorCappedCounts {
  private visitor: string | null = null;
  private current = new Map<string, number>();
  private readonly sums = new Map<string, number>();

  constructor(private readonly cap: number) {}

  push(visitorId: string, itemId: string, weight: number): void {
    if (visitorId !== this.visitor) {
      this.flush();
      this.visitor = visitorId;
    }
    this.current.set(itemId, (this.current.get(itemId) ?? 0) + weight);
  }

  /** Summed capped weights per item; call once all rows are pushed. */
  totals(): Map<string, number> {
    this.flush();
    return this.sums;
  }

  private flush(): void {
    for (const [itemId, w] of this.current) this.sums.set(itemId, (this.sums.get(itemId) ?? 0) + Math.min(w, this.cap));
    this.current = new Map();
  }
}
