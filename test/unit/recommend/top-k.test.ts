import { describe, expect, it } from "vitest";
import { topKIndices } from "../../../src/recommend/top-k";

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
