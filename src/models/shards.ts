// Splits a built session model into KV-sized artifact shards by a stable hash of the item id, and turns a set of
// decoded shards back into the per-item lookup the scorer takes.
import { unpack } from "../recommend/model-lookup";
import type { Neighbour, NeighbourList, PackedLists, SessionModel } from "../recommend/types";
import {
  ARTIFACT_VERSION,
  decodeShard,
  encodePopular,
  encodeShard,
  SESSION_FAMILIES,
  type DecodedShard,
  type FamilyLists,
  type ShardEntry,
} from "./artifact";

/**
 * What the artifact stores: items, one packed list set per named family (stored, and listed in the manifest, in
 * the record's key order), and the popularity back-fill. A new candidate source is one more key here.
 */
export type FamilyModel = {
  items: readonly string[];
  families: Readonly<Record<string, PackedLists>>;
  popular: readonly Neighbour[];
};

/** The session model's two families under their names. */
export function sessionFamilies(model: SessionModel): FamilyModel {
  return { items: model.items, families: { [SESSION_FAMILIES[0]]: model.after, [SESSION_FAMILIES[1]]: model.with }, popular: model.popular };
}

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
  /** The list families each item holds, in stored order (the manifest's version entry repeats them). */
  families: string[];
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
  // An ASCII id's UTF-8 bytes are its char codes: hashed without encoding (allocating) it, which every shard lookup
  // on the recommend path does; any other character takes the encoder, so the hash is the same either way.
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code >= 0x80) return fnv1a32Bytes(utf8.encode(id));
    h ^= code;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fnv1a32Bytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shardOf(itemId: string, nShards: number): number {
  return fnv1a32(itemId) % nShards;
}

/** Encodes a session model into shards (every item lands in shardOf(id, nShards)) plus the popularity blob. */
export function encodeShards(model: SessionModel, opts: ShardOptions = {}): EncodedArtifact {
  return encodeFamilies(sessionFamilies(model), opts);
}

/** Encodes any family model: the session artifact, the personal one, or a made-up source's lists. */
export function encodeFamilies(model: FamilyModel, opts: ShardOptions = {}): EncodedArtifact {
  const families = Object.keys(model.families);
  const listsOf = (i: number): FamilyLists => {
    const lists: Record<string, readonly Neighbour[]> = {};
    for (const f of families) lists[f] = unpack(model.families[f], i, model.items);
    return lists;
  };
  const budget = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  const hashes = model.items.map(fnv1a32);
  // Encodes shard by shard (only one shard's list objects alive at a time); gives up early past the budget.
  const encodeWith = (n: number, enforce: boolean): Uint8Array[] | null => {
    const buckets: number[][] = Array.from({ length: n }, () => []);
    hashes.forEach((h, i) => buckets[h % n].push(i));
    const out: Uint8Array[] = [];
    for (let s = 0; s < n; s++) {
      const bytes = encodeShard(buckets[s].map((i): ShardEntry => ({ itemId: model.items[i], lists: listsOf(i) })), s, n, families);
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
      families,
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
function estimateBytes(model: FamilyModel): number {
  let bytes = 0;
  for (const id of model.items) bytes += id.length * 2 + 16;
  for (const p of Object.values(model.families)) bytes += 3 * p.neighbours.length;
  return bytes;
}

/**
 * The scorer's lookup over shards fetched on demand: `shard(i)` returns decoded shard i (production: from its
 * isolate cache or KV) or undefined when it is unavailable, which the scorer treats as an unknown item.
 */
export function shardedLookup(nShards: number, shard: (index: number) => DecodedShard | undefined): (itemId: string) => FamilyLists | undefined {
  return (itemId) => shard(shardOf(itemId, nShards))?.get(itemId);
}

/** The session scorer's view of an item's families (a family the artifact lacks is an empty list). */
export function sessionLists(lists: FamilyLists): NeighbourList {
  return { after: lists[SESSION_FAMILIES[0]] ?? [], with: lists[SESSION_FAMILIES[1]] ?? [] };
}

/** The session scorer's lookup over a family lookup. */
export function sessionLookup(lookup: (itemId: string) => FamilyLists | undefined): (itemId: string) => NeighbourList | undefined {
  return (itemId) => {
    const l = lookup(itemId);
    return l && sessionLists(l);
  };
}

/** Decodes every shard at once (tests, the eval CLI) and returns the lookup over them. */
export function lookupFromShards(shards: readonly Uint8Array[]): (itemId: string) => FamilyLists | undefined {
  const decoded = shards.map((b) => decodeShard(b));
  decoded.forEach((d, i) => {
    if (d.shardIndex !== i || d.nShards !== shards.length) throw new Error(`shard ${i} is out of place (${d.shardIndex}/${d.nShards})`);
  });
  return shardedLookup(shards.length, (i) => decoded[i]);
}
