import { describe, expect, it } from "vitest";
import { excludeSeen } from "../../../src/recommend/exclude-seen";
import { seededRandom } from "../../../src/recommend/random";

describe("excludeSeen", () => {
  it("removes seen items before the cut, keeping the order of the rest", () => {
    expect(excludeSeen(["a", "b", "c", "d", "e"], ["a", "c"], 2)).toEqual(["b", "d"]);
    expect(excludeSeen(["a", "b"], new Set(["a", "b"]), 5)).toEqual([]);
    expect(excludeSeen(["a", "b", "c"], [], 2)).toEqual(["a", "b"]);
  });

  it("keeps scored candidates whole and cuts at k only when there are enough", () => {
    const ranked = [
      { itemId: "x", score: 3 },
      { itemId: "y", score: 2 },
      { itemId: "z", score: 1 },
    ];
    expect(excludeSeen(ranked, ["x"], 10)).toEqual(ranked.slice(1));
    expect(excludeSeen(ranked, ["y"])).toEqual([ranked[0], ranked[2]]);
  });

  it("on random lists returns exactly the first k unseen entries", () => {
    const rnd = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const ranked = [...new Set(Array.from({ length: 30 }, () => `i${Math.floor(rnd() * 40)}`))];
      const seen = Array.from({ length: Math.floor(rnd() * 15) }, () => `i${Math.floor(rnd() * 40)}`);
      const k = 1 + Math.floor(rnd() * 25);
      const out = excludeSeen(ranked, seen, k);
      const unseen = ranked.filter((id) => !seen.includes(id));
      expect(out).toEqual(unseen.slice(0, k));
    }
  });
});
