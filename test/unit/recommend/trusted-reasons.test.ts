import { describe, expect, it } from "vitest";
import { backfillCandidates } from "../../../src/recommend/backfill";
import { blend } from "../../../src/recommend/blend";
import { explain, reasonItem, type BlendReason } from "../../../src/recommend/explain";
import { scoreSession } from "../../../src/recommend/score-session";
import type { NeighbourList } from "../../../src/recommend/types";

describe("reasons never name their own item", () => {
  it("scoreSession takes the next-best path item as the reason, or the generic `viewed`", () => {
    // Each with-list holds the item itself (build-model withSelf), and strongest.
    const lists: Record<string, NeighbourList> = {
      a: { after: [{ itemId: "b", score: 0.5 }], with: [{ itemId: "a", score: 9 }, { itemId: "b", score: 1 }] },
      b: { after: [{ itemId: "a", score: 0.2 }], with: [{ itemId: "b", score: 9 }, { itemId: "a", score: 1 }] },
    };
    const scored = scoreSession(["a", "b"], (id) => lists[id]);
    expect(scored.find((s) => s.itemId === "a")!.reason).toEqual({ kind: "after", itemId: "b" });
    expect(scored.find((s) => s.itemId === "b")!.reason).toEqual({ kind: "after", itemId: "a" });
    const alone = scoreSession(["a"], (id) => ({ after: [], with: lists[id]!.with.slice(0, 1) }));
    expect(alone).toEqual([{ itemId: "a", score: 9, reason: { kind: "viewed" } }]);
  });

  it("blend skips a reason naming its candidate for the next source's, and explain never shows one", () => {
    const b = blend<BlendReason>(
      { content: [{ itemId: "x", score: 1, reason: { kind: "similar", itemId: "x" } }], segment: [{ itemId: "x", score: 1, reason: { kind: "segment" } }] },
      { content: 10, segment: 1 },
      { names: reasonItem, generic: { kind: "viewed" } },
    );
    expect(b[0]!.reason).toEqual({ kind: "segment" });
    expect(explain({ kind: "with", itemId: "x" }, () => "X", "x")).toEqual({ kind: "viewed", text: "you viewed this before" });
  });
});

describe("backfillCandidates", () => {
  it("puts the item's categories' trending first, then global trending, each item once", () => {
    const out = backfillCandidates(["tents"], { tents: [{ itemId: "t2", score: 1 }], lamps: [{ itemId: "l1", score: 1 }] }, [{ itemId: "l1", score: 1 }, { itemId: "t2", score: 0.5 }], 5);
    expect(out).toEqual([
      { itemId: "t2", score: 0, reason: { kind: "trending_in_category", category: "tents" } },
      { itemId: "l1", score: 0, reason: { kind: "trending" } },
    ]);
    expect(backfillCandidates([], undefined, [{ itemId: "a", score: 1 }, { itemId: "b", score: 1 }], 1)).toHaveLength(1);
  });
});
