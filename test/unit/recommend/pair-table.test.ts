import { describe, expect, it } from "vitest";
import { PairTable } from "../../../src/recommend/pair-table";

describe("PairTable", () => {
  it("sums weights per ordered pair and survives growth", () => {
    const t = new PairTable(4);
    const ref = new Map<string, number>();
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 300;
    for (let i = 0; i < 20000; i++) {
      const a = rnd();
      const b = rnd();
      t.add(a, b, 0.5);
      ref.set(`${a},${b}`, (ref.get(`${a},${b}`) ?? 0) + 0.5);
    }
    expect(t.size).toBe(ref.size);
    for (const [k, v] of ref) {
      const [a, b] = k.split(",").map(Number);
      expect(t.get(a, b)).toBe(v);
    }
    expect(t.get(1, 1000)).toBe(0);
    let n = 0;
    t.forEach(() => n++);
    expect(n).toBe(ref.size);
  });

  it("groups entries by first item", () => {
    const t = new PairTable();
    t.add(2, 0, 1);
    t.add(0, 1, 2);
    t.add(2, 1, 3);
    const r = t.rows(3);
    expect(Array.from(r.rowStart)).toEqual([0, 1, 1, 3]);
    const row2 = new Map([0, 1].map((i) => [r.cols[1 + i], r.vals[1 + i]]));
    expect(row2).toEqual(new Map([[0, 1], [1, 3]]));
  });
});

describe("PairTable slot budget (lossy counting)", () => {
  it("never grows past its budget, and a full table keeps its heavy pairs above every light one", () => {
    const t = new PairTable(16, 1024);
    // 20 heavy pairs, each 0.5% of what is counted, among 50,000 distinct light ones.
    for (let round = 0; round < 50; round++) {
      for (let h = 0; h < 20; h++) for (let r = 0; r < 5; r++) t.add(h, h + 1, 1);
      for (let i = 0; i < 1000; i++) t.add(1000 + round * 1000 + i, 7, 1);
    }
    expect(t.bytes).toBeLessThanOrEqual(1024 * 16);
    expect(t.size).toBeLessThanOrEqual(1024 * 0.8);
    // A heavy pair may be dropped while it is still as light as the rest (its first rounds), never after.
    const heavy = Array.from({ length: 20 }, (_, h) => t.get(h, h + 1));
    for (const w of heavy) expect(w).toBeGreaterThanOrEqual(240);
    let light = 0;
    t.forEach((a, _b, w) => {
      if (a >= 1000) light = Math.max(light, w);
    });
    expect(Math.min(...heavy)).toBeGreaterThan(light);
    expect(t.pruned).toBeGreaterThan(40_000);
    // What was dropped never weighed more than a light pair.
    expect(t.prunedMax).toBe(1);
  });

  it("keeps half of a table of equal weights, the same half every run", () => {
    const fill = () => {
      const t = new PairTable(16, 64);
      for (let i = 0; i < 52; i++) t.add(i, 0, 1);
      const kept: number[] = [];
      t.forEach((a) => kept.push(a));
      return kept.sort((x, y) => x - y);
    };
    const first = fill();
    // 51 entries fill 64 slots at the 0.8 load: the 52nd add prunes to 25, then adds itself.
    expect(first).toHaveLength(26);
    expect(fill()).toEqual(first);
  });

  it("below its budget it is an exact map (no pruning)", () => {
    const t = new PairTable(16, 1 << 12);
    for (let i = 0; i < 3000; i++) t.add(i % 1500, 1, 0.5);
    expect(t.size).toBe(1500);
    expect(t.pruned).toBe(0);
    expect(t.get(3, 1)).toBe(1);
  });
});
