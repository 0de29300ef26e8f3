import { describe, expect, it } from "vitest";
import { decodePopular, decodeShard } from "../../../src/models/artifact";
import { encodeShards, fnv1a32, lookupFromShards, shardOf, shardedLookup } from "../../../src/models/shards";
import { listsOf } from "../../../src/recommend/model-lookup";
import type { PackedLists, SessionModel } from "../../../src/recommend/types";

/** n items, each with `len` after-neighbours and len/2 with-neighbours spread over the catalogue. */
function syntheticModel(n: number, len: number): SessionModel {
  const items = Array.from({ length: n }, (_, i) => `sku-${i}`);
  const pack = (m: number): PackedLists => {
    const offsets = Uint32Array.from({ length: n + 1 }, (_, i) => i * m);
    const neighbours = new Uint32Array(n * m);
    const scores = new Float32Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        neighbours[i * m + j] = (i + j * 7 + 1) % n;
        scores[i * m + j] = 1 / (j + 1);
      }
    }
    return { offsets, neighbours, scores };
  };
  return { items, after: pack(Math.min(len, n)), with: pack(Math.min(len >> 1, n)), popular: items.slice(0, 10).map((itemId, i) => ({ itemId, score: 1 / (i + 1) })) };
}

describe("shards: hashing", () => {
  it("is FNV-1a 32 over UTF-8 (published test vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    // Non-ASCII ids hash their UTF-8 bytes (é = C3 A9), not UTF-16 code units.
    const overBytes = [0xc3, 0xa9].reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32("é")).toBe(overBytes);
    // An ASCII prefix hashed as char codes, then a non-ASCII character: the whole id's UTF-8 bytes, as before.
    expect(fnv1a32("aé")).toBe([0x61, 0xc3, 0xa9].reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5));
    expect(shardOf("foobar", 7)).toBe(0xbf9cf968 % 7);
  });
});

describe("shards: encodeShards", () => {
  const model = syntheticModel(2000, 100);

  it("places every item in shardOf(id) and resolves every list through the lookup", () => {
    const a = encodeShards(model, { nShards: 5 });
    expect(a.shards.length).toBe(5);
    expect(a.meta).toMatchObject({ nShards: 5, items: 2000, hash: "fnv1a32" });
    a.shards.forEach((bytes, s) => {
      for (const id of decodeShard(bytes).items()) expect(shardOf(id, 5)).toBe(s);
    });
    const lookup = lookupFromShards(a.shards);
    model.items.forEach((id, i) => {
      expect(lookup(id)?.after?.map((n) => n.itemId)).toEqual(listsOf(model, i).after.map((n) => n.itemId));
      expect(lookup(id)?.with?.map((n) => n.itemId)).toEqual(listsOf(model, i).with.map((n) => n.itemId));
    });
    expect(lookup("not-an-item")).toBeUndefined();
    expect(a.meta.totalBytes).toBe(a.meta.shardBytes.reduce((x, y) => x + y, 0) + a.meta.popularBytes);
    expect(decodePopular(a.popular).map((p) => p.itemId)).toEqual(model.popular.map((p) => p.itemId));
  });

  it("finds an item that hashes to the last shard", () => {
    const n = 5;
    const id = model.items.find((x) => shardOf(x, n) === n - 1);
    expect(id).toBeDefined();
    const a = encodeShards(model, { nShards: n });
    expect(decodeShard(a.shards[n - 1]).has(id ?? "")).toBe(true);
    expect(lookupFromShards(a.shards)(id ?? "")).toBeDefined();
  });

  it("writes valid empty shards when there are more shards than items", () => {
    const tiny = syntheticModel(3, 2);
    const a = encodeShards(tiny, { nShards: 16 });
    const counts = a.shards.map((b) => decodeShard(b).itemCount);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(3);
    expect(counts.filter((c) => c === 0).length).toBeGreaterThanOrEqual(13);
  });

  it("chooses enough shards to stay under the byte budget", () => {
    const one = encodeShards(model, { nShards: 1 });
    const budget = Math.floor(one.meta.totalBytes / 6);
    const a = encodeShards(model, { maxShardBytes: budget });
    expect(a.meta.nShards).toBeGreaterThan(6);
    expect(Math.max(...a.meta.shardBytes)).toBeLessThanOrEqual(budget);
    expect(encodeShards(model).meta.nShards).toBe(1); // the 4 MiB default holds this model in one shard
  });

  it("treats a missing shard as unknown items", () => {
    const a = encodeShards(model, { nShards: 3 });
    const decoded = a.shards.map((b) => decodeShard(b));
    const lookup = shardedLookup(3, (i) => (i === 1 ? undefined : decoded[i]));
    const inMissing = model.items.find((x) => shardOf(x, 3) === 1) ?? "";
    const inPresent = model.items.find((x) => shardOf(x, 3) === 0) ?? "";
    expect(lookup(inMissing)).toBeUndefined();
    expect(lookup(inPresent)).toBeDefined();
  });

  it("rejects shards out of place", () => {
    const a = encodeShards(model, { nShards: 3 });
    expect(() => lookupFromShards([a.shards[1], a.shards[0], a.shards[2]])).toThrow(/out of place/);
  });
});
