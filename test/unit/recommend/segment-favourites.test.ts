import { describe, expect, it } from "vitest";
import { SegmentFavourites } from "../../../src/recommend/segment-favourites";

describe("SegmentFavourites", () => {
  it("sums event-type weights per segment, caps each visitor per item, skips visitors without a segment", () => {
    const f = new SegmentFavourites(
      new Map([
        ["ann", 0],
        ["bob", 0],
        ["cat", 1],
      ]),
      2,
    );
    for (let i = 0; i < 10; i++) f.push("ann", "a", "purchase"); // 10 purchases count as one (cap 5)
    f.push("bob", "b", "add_to_cart"); // 3
    f.push("bob", "b", "view"); // + 1 = 4
    f.push("bob", "a", "view"); // a: 5 + 1 = 6
    f.push("cat", "z", "view");
    f.push("cat", "y", "view"); // a tie: by id
    f.push("dan", "a", "purchase"); // no segment
    expect(f.lists()).toEqual([
      [
        { itemId: "a", score: 1 },
        { itemId: "b", score: 4 / 6 },
      ],
      [
        { itemId: "y", score: 1 },
        { itemId: "z", score: 1 },
      ],
    ]);
  });
});
