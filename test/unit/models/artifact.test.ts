import { describe, expect, it } from "vitest";
import {
  ARTIFACT_VERSION,
  decodePopular,
  decodeShard,
  dequantise,
  encodePopular,
  encodeShard,
  quantise,
  READABLE_VERSIONS,
  type ShardEntry,
} from "../../../src/models/artifact";
import { servable, type Manifest, type ModelVersion } from "../../../src/models/manifest";
import { LEGACY_PERSONAL_FAMILIES } from "../../../src/models/personal-artifact";
import { encodeFamilies, lookupFromShards } from "../../../src/models/shards";
import type { Neighbour, PackedLists } from "../../../src/recommend/types";
import { toFormat1 } from "../../workers/format1";

const list = (ids: string[], top = 10): Neighbour[] => ids.map((itemId, i) => ({ itemId, score: top / (i + 1) }));

function expectClose(actual: readonly Neighbour[] | undefined, expected: readonly Neighbour[] = []): void {
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
    expect(d).toMatchObject({ version: ARTIFACT_VERSION, shardIndex: 3, nShards: 7, itemCount: 3, families: ["after", "with"] });
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

describe("artifact: named list families", () => {
  /** Packs per-item lists (by item number) the way trainers hand them to the codec. */
  const pack = (items: string[], lists: Record<string, string[]>): PackedLists => {
    const offsets = new Uint32Array(items.length + 1);
    items.forEach((id, i) => (offsets[i + 1] = offsets[i] + (lists[id]?.length ?? 0)));
    const neighbours = new Uint32Array(offsets[items.length]);
    const scores = new Float32Array(offsets[items.length]);
    items.forEach((id, i) =>
      (lists[id] ?? []).forEach((n, e) => {
        neighbours[offsets[i] + e] = items.indexOf(n);
        scores[offsets[i] + e] = 1 / (e + 1);
      }),
    );
    return { offsets, neighbours, scores };
  };
  const items = Array.from({ length: 40 }, (_, i) => `sku-${i}`);
  const next = (k: number) => Object.fromEntries(items.map((id, i) => [id, [1, 2, 3].map((d) => items[(i + d * k) % items.length])]));
  const families = { after: pack(items, next(1)), with: pack(items, next(3)), graph: pack(items, next(7)) };

  it("round-trips three families through encode, shard and decode, each read back by name", () => {
    const a = encodeFamilies({ items, families, popular: [] }, { nShards: 4 });
    expect(a.meta.families).toEqual(["after", "with", "graph"]);
    for (const bytes of a.shards) expect(decodeShard(bytes).families).toEqual(["after", "with", "graph"]);
    const lookup = lookupFromShards(a.shards);
    for (const [name, k] of [["after", 1], ["with", 3], ["graph", 7]] as const) {
      items.forEach((id) => expect(lookup(id)?.[name]?.map((n) => n.itemId)).toEqual(next(k)[id]));
    }
    expect(lookup("sku-0")?.itemCf).toBeUndefined(); // a family this artifact does not hold
  });

  it("stores families in the order given, so the same lists under another order are another artifact", () => {
    const reordered = encodeFamilies({ items, families: { graph: families.graph, after: families.after }, popular: [] }, { nShards: 1 });
    const d = decodeShard(reordered.shards[0]);
    expect(d.families).toEqual(["graph", "after"]);
    expect(d.get("sku-0")?.graph?.map((n) => n.itemId)).toEqual(next(7)["sku-0"]);
  });

  it("rejects duplicate or empty family names", () => {
    expect(() => encodeShard([], 0, 1, ["a", "a"])).toThrow(/unique/);
    expect(() => encodeShard([], 0, 1, [""])).toThrow(/non-empty/);
  });
});

describe("artifact: format 1 (before named families)", () => {
  // Written by the format-1 encoder (git 0a85098): a → after [b 2, c 1], with [d 0.5]; b → after [], with [a 1].
  const FORMAT_1 = Uint8Array.from([
    69, 82, 83, 49, 1, 1, 0, 0, 1, 0, 2, 0, 2, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 1, 97, 1, 98, 1, 99, 1, 100, 0, 0, 0, 0, 16, 0, 0, 0, 24, 0, 0, 0, 2, 0,
    0, 0, 64, 1, 2, 255, 239, 1, 0, 0, 0, 63, 3, 255, 0, 1, 0, 0, 128, 63, 0, 255,
  ]);
  const entries: ShardEntry[] = [
    { itemId: "a", lists: { after: [{ itemId: "b", score: 2 }, { itemId: "c", score: 1 }], with: [{ itemId: "d", score: 0.5 }] } },
    { itemId: "b", lists: { after: [], with: [{ itemId: "a", score: 1 }] } },
  ];

  it("is still decoded, its two slots under the session names by default", () => {
    expect(READABLE_VERSIONS).toContain(1);
    const d = decodeShard(FORMAT_1);
    expect(d).toMatchObject({ version: 1, families: ["after", "with"], itemCount: 2 });
    for (const e of entries) {
      expectClose(d.get(e.itemId)?.after, e.lists.after);
      expectClose(d.get(e.itemId)?.with, e.lists.with);
    }
  });

  it("names a personal shard's slots item-CF then content, as format 1 stored them", () => {
    const d = decodeShard(FORMAT_1, LEGACY_PERSONAL_FAMILIES);
    expect(d.families).toEqual(["itemCf", "content"]);
    expectClose(d.get("a")?.itemCf, entries[0].lists.after);
    expectClose(d.get("a")?.content, entries[0].lists.with);
  });

  it("is format 2 without the names section (the test helper that rewrites shards for the Worker tests)", () => {
    expect(Array.from(toFormat1(encodeShard(entries, 0, 1)))).toEqual(Array.from(FORMAT_1));
  });

  it("versions written in format 1 stay servable; unknown formats do not", () => {
    const v: ModelVersion = {
      version: "v1",
      createdAt: 0,
      format: 1,
      configDigest: "",
      itemCount: 0,
      nShards: 1,
      statsParts: 0,
      watermark: 0,
      cutBucket: 0,
      bytes: { shards: 0, trending: 0, stats: 0 },
      metrics: {},
    };
    const m = (format: number): Manifest => ({ current: { ...v, format }, versions: [{ ...v, format }] });
    expect(servable(m(1))).toBe(true);
    expect(servable(m(ARTIFACT_VERSION))).toBe(true);
    expect(servable(m(ARTIFACT_VERSION + 1))).toBe(false);
  });
});

describe("artifact: popularity", () => {
  it("round-trips the back-fill list", () => {
    const pop = list(["p", "q", "ü"], 1);
    expectClose(decodePopular(encodePopular(pop)), pop);
    expect(decodePopular(encodePopular([]))).toEqual([]);
  });
});
