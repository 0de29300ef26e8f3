import { describe, expect, it } from "vitest";
import {
  ARTIFACT_VERSION,
  decodePopular,
  decodeShard,
  dequantise,
  encodePopular,
  encodeShard,
  quantise,
  type ShardEntry,
} from "../../../src/models/artifact";
import type { Neighbour } from "../../../src/recommend/types";

const list = (ids: string[], top = 10): Neighbour[] => ids.map((itemId, i) => ({ itemId, score: top / (i + 1) }));

function expectClose(actual: readonly Neighbour[] | undefined, expected: readonly Neighbour[]): void {
  expect(actual?.map((n) => n.itemId)).toEqual(expected.map((n) => n.itemId));
  actual?.forEach((n, i) => expect(Math.abs(n.score / expected[i].score - 1)).toBeLessThan(0.025));
}

describe("artifact: score quantisation", () => {
  it("keeps the max exact and relative error within 2.2% over 16 octaves", () => {
    expect(dequantise(quantise(3.5, 3.5), 3.5)).toBe(3.5);
    for (let r = 1; r > 2 ** -16; r *= 0.93) {
      const back = dequantise(quantise(r, 1), 1);
      expect(Math.abs(back / r - 1)).toBeLessThan(0.022);
    }
  });
  it("is monotone, so sorted lists stay sorted", () => {
    let prev = 256;
    for (let r = 1; r > 1e-6; r *= 0.99) {
      const q = quantise(r, 1);
      expect(q).toBeLessThanOrEqual(prev);
      prev = q;
    }
    expect(quantise(1e-9, 1)).toBe(0);
  });
});

describe("artifact: lists shard", () => {
  const entries: ShardEntry[] = [
    { itemId: "b", lists: { after: list(["a", "c", "far"]), with: list(["b", "a"], 0.01) } },
    { itemId: "a", lists: { after: list(["b"]), with: [] } },
    { itemId: "lonely", lists: { after: [], with: [] } },
  ];

  it("round-trips ids, order and scores", () => {
    const d = decodeShard(encodeShard(entries, 3, 7));
    expect(d).toMatchObject({ version: ARTIFACT_VERSION, shardIndex: 3, nShards: 7, itemCount: 3 });
    for (const e of entries) {
      expectClose(d.get(e.itemId)?.after, e.lists.after);
      expectClose(d.get(e.itemId)?.with, e.lists.with);
    }
    expect(d.get("lonely")).toEqual({ after: [], with: [] });
    expect(d.get("far")).toBeUndefined(); // referenced, but not owned by this shard
    expect(d.get("zzz")).toBeUndefined();
    expect(d.has("a")).toBe(true);
    expect(d.items()).toEqual(["a", "b", "lonely"]);
  });

  it("handles an empty shard", () => {
    const d = decodeShard(encodeShard([], 0, 1));
    expect(d.itemCount).toBe(0);
    expect(d.get("a")).toBeUndefined();
    expect(d.items()).toEqual([]);
  });

  it("round-trips unicode, emoji, a leading BOM and ids that differ only in case", () => {
    const ids = ["Ünïcödé", "商品-42", "🛒🛍️", "\uFEFFbom", "Item", "item", "a/b?c=d&e", "x".repeat(128)];
    const es: ShardEntry[] = ids.map((itemId, i) => ({ itemId, lists: { after: list(ids.filter((_, j) => j !== i)), with: [] } }));
    const d = decodeShard(encodeShard(es, 0, 1));
    for (const e of es) expectClose(d.get(e.itemId)?.after, e.lists.after);
    expect(d.get("ITEM")).toBeUndefined();
  });

  it("round-trips max-size lists with many distinct neighbours (multi-byte references)", () => {
    const many = Array.from({ length: 300 }, (_, i) => `n${i}`);
    const es: ShardEntry[] = Array.from({ length: 50 }, (_, i) => ({
      itemId: `item${i}`,
      lists: { after: list(many.slice(i, i + 200), 1e6), with: list(many.slice(100 + i, 300), 1e-3) },
    }));
    const d = decodeShard(encodeShard(es, 0, 1));
    for (const e of es) {
      expectClose(d.get(e.itemId)?.after, e.lists.after);
      expectClose(d.get(e.itemId)?.with, e.lists.with);
    }
  });

  it("rejects duplicates, bad magic, other versions and truncation", () => {
    expect(() => encodeShard([entries[0], entries[0]], 0, 1)).toThrow(/duplicate/);
    const bytes = encodeShard(entries, 0, 1);
    expect(() => decodeShard(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/magic/);
    const v2 = bytes.slice();
    v2[4] = ARTIFACT_VERSION + 1;
    expect(() => decodeShard(v2)).toThrow(/version/);
    expect(() => decodeShard(bytes.subarray(0, bytes.length - 1))).toThrow(/corrupt/);
    expect(() => decodeShard(encodePopular([]))).toThrow(/kind/);
  });

  it("decodes from a view into a larger buffer (KV arrayBuffer slices)", () => {
    const bytes = encodeShard(entries, 0, 1);
    const big = new Uint8Array(bytes.length + 16);
    big.set(bytes, 8);
    const d = decodeShard(big.subarray(8, 8 + bytes.length));
    expectClose(d.get("b")?.after, entries[0].lists.after);
  });
});

describe("artifact: popularity", () => {
  it("round-trips the back-fill list", () => {
    const pop = list(["p", "q", "ü"], 1);
    expectClose(decodePopular(encodePopular(pop)), pop);
    expect(decodePopular(encodePopular([]))).toEqual([]);
  });
});
