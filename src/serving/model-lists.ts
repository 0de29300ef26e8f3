// Resolves the per-item lists of a set of items from the served artifact version: loads each needed shard once
// (isolate cache, then KV) and falls back to the previous version for a shard that has not reached this location.
import { READABLE_VERSIONS, type FamilyLists } from "../models/artifact";
import type { Manifest, ModelVersion } from "../models/manifest";
import { LEGACY_PERSONAL_FAMILIES } from "../models/personal-artifact";
import { shardOf } from "../models/shards";
import { kvKeys } from "../storage/kv-keys";
import { readShard, readShardAt } from "../storage/model-store";

export type FamilyLookup = (itemId: string) => FamilyLists | undefined;

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
      const shard = await readShardAt(kv, kvKeys.personalShard(siteId, v.version, index), LEGACY_PERSONAL_FAMILIES);
      for (const id of ids) {
        const l = shard?.get(id);
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
          const l = shard.get(id);
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
