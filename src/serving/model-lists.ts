// Resolves the per-item lists of a set of items from the served artifact version: loads each needed shard once
// (isolate cache, then KV) and falls back to the previous version for a shard that has not reached this location.
import { DECODED_LISTS_MAX_ENTRIES } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import { READABLE_VERSIONS, type DecodedShard, type FamilyLists } from "../models/artifact";
import type { Manifest, ModelVersion } from "../models/manifest";
import { LEGACY_PERSONAL_FAMILIES } from "../models/personal-artifact";
import { shardOf } from "../models/shards";
import { kvKeys } from "../storage/kv-keys";
import { readShard, readShardAt } from "../storage/model-store";

export type FamilyLookup = (itemId: string) => FamilyLists | undefined;

// Decoding an item's lists from its shard's bytes is a share of every read's CPU, and hot items are read again and
// again: the decoded lists of the most recently read items are kept (null: the shard has none for the item).
const decoded = new IsolateCache<string, FamilyLists | null>({ maxEntries: DECODED_LISTS_MAX_ENTRIES });

/** The item's lists in the shard stored under `shardKey` (versions are immutable, so the key never goes stale). */
function listsOf(shardKey: string, shard: DecodedShard, itemId: string): FamilyLists | undefined {
  const key = `${shardKey}\u0000${itemId}`;
  const hit = decoded.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const lists = shard.get(itemId);
  decoded.set(key, lists ?? null, Infinity);
  return lists;
}

/** Lists of the personal artifact by family ("itemCf", "content", "graph", …); empty lookup for older versions. */
export async function personalListsFor(kv: KVNamespace, siteId: string, manifest: Manifest, itemIds: readonly string[]): Promise<FamilyLookup> {
  const v = manifest.current;
  const n = v.personal?.nShards;
  if (!n) return () => undefined;
  const found = new Map<string, FamilyLists>();
  const byShard = new Map<number, string[]>();
  for (const id of new Set(itemIds)) byShard.set(shardOf(id, n), [...(byShard.get(shardOf(id, n)) ?? []), id]);
  await Promise.all(
    [...byShard].map(async ([index, ids]) => {
      const key = kvKeys.personalShard(siteId, v.version, index);
      const shard = await readShardAt(kv, key, LEGACY_PERSONAL_FAMILIES);
      for (const id of ids) {
        const l = shard ? listsOf(key, shard, id) : undefined;
        if (l) found.set(id, l);
      }
    }),
  );
  return (itemId) => found.get(itemId);
}

/** Lists of the session artifact by family ("after", "with"). */
export async function listsFor(kv: KVNamespace, siteId: string, manifest: Manifest, itemIds: readonly string[]): Promise<FamilyLookup> {
  const current = manifest.current;
  // Any older version this code decodes: the first format-2 version may fall back to a format-1 one.
  const fallback = manifest.versions.find((v) => v.createdAt < current.createdAt && READABLE_VERSIONS.includes(v.format));
  const found = new Map<string, FamilyLists>();
  const byShard = new Map<number, string[]>();
  for (const id of new Set(itemIds)) {
    const s = shardOf(id, current.nShards);
    byShard.set(s, [...(byShard.get(s) ?? []), id]);
  }
  await Promise.all(
    [...byShard].map(async ([index, ids]) => {
      const shard = await readShard(kv, siteId, current.version, index);
      if (shard) {
        for (const id of ids) {
          const l = listsOf(kvKeys.shard(siteId, current.version, index), shard, id);
          if (l) found.set(id, l);
        }
      } else if (fallback) {
        await fromVersion(kv, siteId, fallback, ids, found);
      }
    }),
  );
  return (itemId) => found.get(itemId);
}

async function fromVersion(kv: KVNamespace, siteId: string, v: ModelVersion, ids: string[], found: Map<string, FamilyLists>): Promise<void> {
  const byShard = new Map<number, string[]>();
  for (const id of ids) byShard.set(shardOf(id, v.nShards), [...(byShard.get(shardOf(id, v.nShards)) ?? []), id]);
  await Promise.all(
    [...byShard].map(async ([index, list]) => {
      const shard = await readShard(kv, siteId, v.version, index);
      for (const id of list) {
        const l = shard?.get(id);
        if (l) found.set(id, l);
      }
    }),
  );
}
