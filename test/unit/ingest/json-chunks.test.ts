import { describe, expect, it } from "vitest";
import { jsonChunks } from "../../../src/lib/json-chunks";

describe("jsonChunks", () => {
  it("keeps every row, in order, with each chunk under the budget", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ i, pad: "x".repeat(i % 97) }));
    const chunks = jsonChunks(rows, 2000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(2000);
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(rows);
  });

  it("puts a row larger than the budget in a chunk of its own", () => {
    const chunks = jsonChunks([{ a: "x".repeat(50) }, { b: 1 }], 20);
    expect(chunks.map((c) => (JSON.parse(c) as unknown[]).length)).toEqual([1, 1]);
  });

  it("returns nothing for no rows", () => {
    expect(jsonChunks([], 100)).toEqual([]);
  });
});
