// Splits a built session model into KV-sized artifact shards by a stable hash of the item id, and turns a set of
// decoded shards back into the per-item lookup the scorer takes.
import { listsOf } from "../recommend/model-lookup";
import type { NeighbourList, SessionModel } from "../recommend/types";
import { ARTIFACT_VERSION, decodeShard, encodePopular, encodeShard, type DecodedShard, type ShardEntry } from "./artifact";

/** KV values are capped at 25 MiB; shards stay far below so an isolate can hold several and reads stay fast. */
export const DEFAULT_MAX_SHARD_BYTES = 4 * 1024 * 1024;
const MAX_SHARDS = 0xffff;

export type ShardOptions = {
  /** Fixed shard count. Without it, the smallest count whose largest shard fits maxShardBytes is chosen. */
  nShards?: number;
  maxShardBytes?: number;
};

export type ArtifactMeta = {
  formatVersion: number;
  hash: "fnv1a32";
  nShards: number;
  items: number;
  shardBytes: number[];
  popularBytes: number;
  totalBytes: number;
};

export type EncodedArtifact = { shards: Uint8Array[]; popular: Uint8Array; meta: ArtifactMeta };

const utf8 = new TextEncoder();

/** FNV-1a, 32 bit, over the id's UTF-8 bytes: stable across runtimes and releases. */
export function fnv1a32(id: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(id)) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shardOf(itemId: string, nShards: number): number {
  return fnv1a32(itemId) % nShards;
}

/** Encodes a model into shards (every item lands in shardOf(id, nShards)) plus the popularity blob. */
export function encodeShards(model: SessionModel, opts: ShardOptions = {}): EncodedArtifact {
  const budget = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  const hashes = model.items.map(fnv1a32);
  // Encodes shard by shard (only one shard's list objects alive at a time); gives up early past the budget.
  const encodeWith = (n: number, enforce: boolean): Uint8Array[] | null => {
    const buckets: number[][] = Array.from({ length: n }, () => []);
    hashes.forEach((h, i) => buckets[h % n].push(i));
    const out: Uint8Array[] = [];
    for (let s = 0; s < n; s++) {
      const bytes = encodeShard(buckets[s].map((i): ShardEntry => ({ itemId: model.items[i], lists: listsOf(model, i) })), s, n);
      if (enforce && bytes.length > budget) return null;
      out.push(bytes);
    }
    return out;
  };
  let n = opts.nShards ?? Math.max(1, Math.ceil(estimateBytes(model) / (budget * 0.8)));
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_SHARDS)) throw new RangeError(`nShards must be 1..${MAX_SHARDS}`);
  let shards = encodeWith(n, opts.nShards === undefined);
  // Hashing is uneven and neighbour ids repeat across shards, so the estimate can fall short: grow and retry.
  while (shards === null) {
    if (n >= MAX_SHARDS) throw new Error("model does not fit the shard budget");
    n = Math.min(MAX_SHARDS, Math.ceil(n * 1.5));
    shards = encodeWith(n, n < MAX_SHARDS);
  }
  const popular = encodePopular(model.popular);
  const shardBytes = shards.map((s) => s.length);
  return {
    shards,
    popular,
    meta: {
      formatVersion: ARTIFACT_VERSION,
      hash: "fnv1a32",
      nShards: n,
      items: model.items.length,
      shardBytes,
      popularBytes: popular.length,
      totalBytes: shardBytes.reduce((t, b) => t + b, 0) + popular.length,
    },
  };
}

/** Rough encoded size: ids, offsets, list headers and ~3 bytes per neighbour (varint ref + score byte). */
function estimateBytes(model: SessionModel): number {
  let bytes = 0;
  for (const id of model.items) bytes += id.length * 2 + 16;
  return bytes + 3 * (model.after.neighbours.length + model.with.neighbours.length);
}

/**
 * The scorer's lookup over shards fetched on demand: `shard(i)` returns decoded shard i (production: from its
 * isolate cache or KV) or undefined when it is unavailable, which the scorer treats as an unknown item.
 */
export function shardedLookup(nShards: number, shard: (index: number) => DecodedShard | undefined): (itemId: string) => NeighbourList | undefined {
  return (itemId) => shard(shardOf(itemId, nShards))?.get(itemId);
}

/** Decodes every shard at once (tests, the eval CLI) and returns the lookup over them. */
export function lookupFromShards(shards: readonly Uint8Array[]): (itemId: string) => NeighbourList | undefined {
  const decoded = shards.map(decodeShard);
  decoded.forEach((d, i) => {
    if (d.shardIndex !== i || d.nShards !== shards.length) throw new Error(`shard ${i} is out of place (${d.shardIndex}/${d.nShards})`);
  });
  return shardedLookup(shards.length, (i) => decoded[i]);
}
