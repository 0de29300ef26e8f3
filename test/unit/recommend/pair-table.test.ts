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
