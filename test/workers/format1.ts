// Rewrites a format-2 lists shard into the format-1 layout (no family names, version byte 1), so tests can check
// that code reading format 2 still serves a version a format-1 deploy wrote. Unit-checked against the old encoder.

import { decodeShard, encodeShard } from "../../src/models/artifact";

/**
 * Format 1 = format 2 without the family-names section after the 24-byte header. Format 1 held exactly two lists:
 * a shard with more families (a source added since, like the graph) keeps its first two, as a format-1 deploy wrote.
 */
export function toFormat1(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const familyCount = view.getUint16(10, true);
  if (familyCount > 2) {
    const d = decodeShard(bytes);
    const two = d.families.slice(0, 2);
    return toFormat1(encodeShard(d.items().map((itemId) => ({ itemId, lists: d.get(itemId)! })), d.shardIndex, d.nShards, two));
  }
  if (familyCount !== 2) throw new Error("format 1 held exactly two lists");
  let end = 24;
  for (let f = 0; f < familyCount; f++) end += 1 + bytes[end]; // names are short: one-byte varint lengths
  const out = new Uint8Array(bytes.length - (end - 24));
  out.set(bytes.subarray(0, 24));
  out.set(bytes.subarray(end), 24);
  out[4] = 1;
  return out;
}

/** The bits of a KV namespace the rewrite needs (kept structural so this file also loads in Node unit tests). */
type ShardStore = {
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
  put(key: string, value: Uint8Array | string): Promise<void>;
};
type VersionShape = { version: string; nShards: number; families?: readonly string[]; personal?: { nShards: number; families?: readonly string[] } };

/**
 * Rewrites one served version as a format-1 deploy wrote it: every session shard (and, with `personal`, every
 * personal shard) in the old layout, and the version entry without family names. Returns the format-1 entry; the
 * caller writes it into the manifest it wants.
 */
export async function rewriteAsFormat1<V extends VersionShape>(
  kv: ShardStore,
  keys: { shard: (i: number) => string; personalShard: (i: number) => string },
  v: V,
  opts: { personal: boolean },
): Promise<Omit<V, "families"> & { format: 1 }> {
  const rewrite = async (key: string) => kv.put(key, toFormat1(new Uint8Array((await kv.get(key, "arrayBuffer"))!)));
  await Promise.all([
    ...Array.from({ length: v.nShards }, (_, i) => rewrite(keys.shard(i))),
    ...(opts.personal && v.personal ? Array.from({ length: v.personal.nShards }, (_, i) => rewrite(keys.personalShard(i))) : []),
  ]);
  const { families: _families, ...rest } = v;
  return { ...rest, format: 1, ...(opts.personal && v.personal ? { personal: { nShards: v.personal.nShards } } : {}) };
}
