import { describe, expect, it } from "vitest";
import { ContentTrainer } from "../../../src/recommend/content";
import { DEFAULT_EVENT_WEIGHTS, ItemCfTrainer, scoreHistory } from "../../../src/recommend/item-cf";
import { contentCandidates, firstK } from "../../../src/recommend/candidate-lists";
import type { Neighbour } from "../../../src/recommend/types";

const DAY = 86_400_000;
const asMap = (b: { items: string[]; lists: Neighbour[][] }) => new Map(b.items.map((id, i) => [id, b.lists[i]!]));

describe("event-type weights", () => {
  it("order purchase > add_to_cart > like/share > click > view", () => {
    const w = DEFAULT_EVENT_WEIGHTS;
    expect(w.purchase!).toBeGreaterThan(w.add_to_cart!);
    expect(w.add_to_cart!).toBeGreaterThan(w.like!);
    expect(w.like).toBe(w.share);
    expect(w.like!).toBeGreaterThan(w.click!);
    expect(w.click!).toBeGreaterThan(w.view!);
  });
});

describe("item-CF from user histories", () => {
  it("a purchase pulls harder than a view with the same co-occurrence counts", () => {
    const t = new ItemCfTrainer();
    // Two users pair "seed" with "bought" (purchased) and two with "viewed" (viewed): same counts, other types.
    t.push("u1", "seed", 0, "view");
    t.push("u1", "bought", 1, "purchase");
    t.push("u2", "seed", 0, "view");
    t.push("u2", "bought", 1, "purchase");
    t.push("u3", "seed", 0, "view");
    t.push("u3", "viewed", 1, "view");
    t.push("u4", "seed", 0, "view");
    t.push("u4", "viewed", 1, "view");
    const lists = asMap(t.build());
    expect(lists.get("seed")!.map((n) => n.itemId)).toEqual(["bought", "viewed"]);
  });

  it("damps popular targets: an item everybody has ranks below a specific co-occurrence", () => {
    const t = new ItemCfTrainer();
    for (let u = 0; u < 20; u++) t.push(`pop${u}`, "blockbuster", 0, "view");
    for (let u = 0; u < 3; u++) {
      t.push(`fan${u}`, "seed", 0, "view");
      t.push(`fan${u}`, "niche", 1, "view");
      t.push(`fan${u}`, "blockbuster", 2, "view");
    }
    expect(asMap(t.build()).get("seed")![0]!.itemId).toBe("niche");
  });

  it("scores a history with reasons and interaction types, recent items counting more", () => {
    const lists = new Map<string, Neighbour[]>([
      ["old", [{ itemId: "x", score: 1 }]],
      ["recent", [{ itemId: "y", score: 1 }]],
    ]);
    const out = scoreHistory(
      [
        { itemId: "old", ts: 0, type: "view" },
        { itemId: "recent", ts: 100 * DAY, type: "purchase" },
      ],
      (id) => lists.get(id),
      { now: 100 * DAY },
    );
    expect(out.map((c) => c.itemId)).toEqual(["y", "x"]);
    expect(out[0]).toEqual({ itemId: "y", score: DEFAULT_EVENT_WEIGHTS.purchase, from: "recent", fromType: "purchase" });
  });
});

describe("content similarity", () => {
  const catalog = () => {
    const c = new ContentTrainer();
    c.push("trail-shoe", ["shoes", "running"], ["trail", "waterproof"]);
    c.push("road-shoe", ["shoes", "running"], ["road"]);
    c.push("brand-new-trail-shoe", ["shoes", "running"], ["trail", "waterproof"]); // no interactions anywhere
    c.push("tent", ["camping"], ["waterproof"]);
    c.push("stove", ["camping"], ["gas"]);
    return asMap(c.build());
  };

  it("reaches a new item with no interactions, and ranks shared rare labels above shared common ones", () => {
    const lists = catalog();
    expect(lists.get("trail-shoe")!.map((n) => n.itemId)).toEqual(["brand-new-trail-shoe", "road-shoe", "tent"]);
    expect(lists.get("brand-new-trail-shoe")![0]!.itemId).toBe("trail-shoe");
    expect(lists.get("stove")!.map((n) => n.itemId)).toEqual(["tent"]);
  });

  it("gives a brand-new visitor related items from their first view", () => {
    const lists = catalog();
    const out = contentCandidates(["road-shoe"], (id) => lists.get(id));
    expect(out.map((c) => c.itemId)).toContain("brand-new-trail-shoe");
    expect(out[0]!.from).toBe("road-shoe");
    expect(out.every((c) => c.itemId !== "road-shoe")).toBe(true);
  });

  it("weights newer seeds more and keeps the seed that contributed most as the reason", () => {
    const lists = new Map<string, Neighbour[]>([
      ["newest", [{ itemId: "a", score: 0.5 }]],
      ["older", [{ itemId: "a", score: 0.6 }, { itemId: "b", score: 0.9 }]],
    ]);
    const out = contentCandidates(["newest", "older"], (id) => lists.get(id));
    // a: 0.5 * 1 + 0.6 * 0.5 = 0.8 (strongest from "newest"); b: 0.9 * 0.5 = 0.45.
    expect(out).toEqual([
      { itemId: "a", score: expect.closeTo(0.8), from: "newest" },
      { itemId: "b", score: expect.closeTo(0.45), from: "older" },
    ]);
    expect(firstK(out, 1, (id) => id !== "a")).toEqual([out[1]]);
  });
});
