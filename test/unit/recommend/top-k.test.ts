import { describe, expect, it } from "vitest";
import { topKIndices, topKOfMap } from "../../../src/recommend/top-k";
import { seededRandom } from "../../../src/recommend/random";

describe("topKIndices", () => {
  it("returns the k largest, best first, ties by lower index", () => {
    expect(topKIndices([3, 9, 1, 9, 5], 3)).toEqual([1, 3, 4]);
  });
  it("handles k larger than the input and k = 0", () => {
    expect(topKIndices([1, 2], 5)).toEqual([1, 0]);
    expect(topKIndices([1, 2], 0)).toEqual([]);
  });
  it("only looks at the first `count` values", () => {
    expect(topKIndices(new Float64Array([1, 5, 9]), 2, 2)).toEqual([1, 0]);
  });
});

describe("topKOfMap", () => {
  // What it replaces: every entry sorted by (score desc, key asc), cut at k.
  const bySort = (m: Map<string, number>, k: number | undefined, keep: (v: number) => boolean = () => true) =>
    [...m].filter(([, v]) => keep(v)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);

  it("equals a full sort cut at k, ties by key, on random maps with many ties", () => {
    const rand = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const m = new Map<string, number>();
      const n = Math.floor(rand() * 300);
      // Scores from a few values, so most comparisons are ties decided by the key.
      for (let i = 0; i < n; i++) m.set(`i${Math.floor(rand() * 1000)}`, Math.floor(rand() * 8) - 2);
      for (const k of [0, 1, 5, 60, 400, undefined]) {
        expect(topKOfMap(m, k, (v) => v)).toEqual(bySort(m, k));
        expect(topKOfMap(m, k, (v) => v, (v) => v > 0)).toEqual(bySort(m, k, (v) => v > 0));
      }
    }
  });

  it("reads the score through the accessor and keeps the values themselves", () => {
    const a = { s: 1 };
    const b = { s: 3 };
    const out = topKOfMap(new Map([["a", a], ["b", b]]), 1, (v) => v.s);
    expect(out).toEqual([["b", b]]);
    expect(out[0]![1]).toBe(b);
  });
});
