import { describe, expect, it } from "vitest";
import { blend, DEFAULT_BLEND_WEIGHTS, type SourceCandidate } from "../../../src/recommend/blend";
import { explain, historyReason } from "../../../src/recommend/explain";

const list = (pairs: [string, number][], reason: string): SourceCandidate<string>[] => pairs.map(([itemId, score]) => ({ itemId, score, reason }));

describe("blend normalisation", () => {
  it("puts sources on one scale by their best score, so a source's raw magnitude does not matter", () => {
    const small = blend({ itemCf: list([["a", 0.02], ["b", 0.01]], "cf"), content: list([["b", 1], ["c", 0.5]], "ct") }, { itemCf: 1, content: 1 });
    const big = blend({ itemCf: list([["a", 2000], ["b", 1000]], "cf"), content: list([["b", 1], ["c", 0.5]], "ct") }, { itemCf: 1, content: 1 });
    expect(small.map((b) => [b.itemId, b.score])).toEqual(big.map((b) => [b.itemId, b.score]));
    // b: 0.5 (cf) + 1 (content) = 1.5, reason from content (its larger share).
    expect(big[0]).toEqual({ itemId: "b", score: 1.5, source: "content", reason: "ct" });
  });

  it("rank normalisation uses only the order", () => {
    const out = blend({ itemCf: list([["a", 100], ["b", 1], ["c", 0.5]], "cf") }, { itemCf: 1 }, { normalise: { itemCf: "rank" } });
    expect(out.map((b) => b.score)).toEqual([1, 1 / 2, 1 / 3]);
  });

  it("weights scale a source's contribution", () => {
    const out = blend({ itemCf: list([["a", 1]], "cf"), segment: list([["b", 1]], "seg") }, { itemCf: 1, segment: 0.2 });
    expect(out.map((b) => [b.itemId, b.score, b.source])).toEqual([["a", 1, "itemCf"], ["b", 0.2, "segment"]]);
  });

  it("with only session and trending (default weights), keeps the session model's ranking", () => {
    // A session list whose scores fall steeply, and a trending list of other items.
    const session = list(Array.from({ length: 20 }, (_, i): [string, number] => [`s${i}`, Math.pow(0.7, i)]), "session");
    const trending = list(Array.from({ length: 20 }, (_, i): [string, number] => [`t${i}`, 100 - i]), "trending");
    const out = blend({ session, trending }, DEFAULT_BLEND_WEIGHTS);
    const sessionIds = session.map((c) => c.itemId);
    // Trending only enters below session items that score above 0.1/20 of the top one.
    const strong = session.filter((c) => c.score * DEFAULT_BLEND_WEIGHTS.session > DEFAULT_BLEND_WEIGHTS.trending).map((c) => c.itemId);
    expect(out.slice(0, strong.length).map((b) => b.itemId)).toEqual(strong);
    expect(out.filter((b) => sessionIds.includes(b.itemId)).map((b) => b.itemId)).toEqual(sessionIds);
  });
});

describe("reasons", () => {
  const label = (id: string) => `«${id}»`;
  it("explains each source's reason kind", () => {
    expect(explain(historyReason("tent", "purchase"), label)).toEqual({ kind: "bought_with", itemId: "tent", text: "often bought with «tent»" });
    expect(explain(historyReason("tent", "view"), label)).toEqual({ kind: "because_you_viewed", itemId: "tent", text: "because you viewed «tent»" });
    expect(explain(historyReason("tent"), label).kind).toBe("because");
    expect(explain({ kind: "similar", itemId: "x" }, label).text).toBe("similar to «x»");
    expect(explain({ kind: "segment" }, label).text).toBe("popular with shoppers like you");
    expect(explain({ kind: "trending_in_category", category: "shoes" }, label).text).toBe("trending in shoes");
    expect(explain({ kind: "with", itemId: "x" }, label).kind).toBe("with");
  });
});
