import { describe, expect, it } from "vitest";
import { normalised, trendingByCategory } from "../../../src/recommend/trending";

describe("trending's steps after the query", () => {
  const list = normalised([
    { itemId: "tent", score: 8 },
    { itemId: "stove", score: 4 },
    { itemId: "sock", score: 2 },
    { itemId: "mug", score: 1 },
  ]);

  it("scales scores so the best item has 1", () => {
    expect(list).toEqual([
      { itemId: "tent", score: 1 },
      { itemId: "stove", score: 0.5 },
      { itemId: "sock", score: 0.25 },
      { itemId: "mug", score: 0.125 },
    ]);
  });

  it("cuts the global list per category in its order, items in several categories in each, up to the limit", () => {
    const cats = new Map([
      ["tent", ["camping"]],
      ["stove", ["camping", "kitchen"]],
      ["mug", ["kitchen"]],
    ]);
    const by = trendingByCategory(list, (id) => cats.get(id), 1);
    expect(by).toEqual({ camping: [{ itemId: "tent", score: 1 }], kitchen: [{ itemId: "stove", score: 0.5 }] });
    expect(trendingByCategory(list, (id) => cats.get(id)).kitchen!.map((n) => n.itemId)).toEqual(["stove", "mug"]);
  });
});
