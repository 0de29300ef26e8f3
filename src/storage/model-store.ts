// Model artifacts in KV: write a version (shards first, manifest last), read the manifest and shards through an
// isolate-memory cache keyed by version, so a warm isolate scores without any KV read.
import {
  LIVE_TRENDING_CACHE_MAX_ENTRIES,
  MANIFEST_CACHE_MAX_ENTRIES,
  PERSONAL_DATA_CACHE_MAX_ENTRIES,
  SHARD_CACHE_MAX_BYTES,
  SHARD_CACHE_MAX_ENTRIES,
  TRENDING_CACHE_MAX_ENTRIES,
} from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import { decodeShard, decodePopular, type DecodedShard } from "../models/artifact";
import type { Manifest, ModelVersion } from "../models/manifest";
import type { Neighbour } from "../recommend/types";
import { kvKeys } from "./kv-keys";

/** KV's edge cache for model reads (its minimum is 30 s); versions are immutable, only the manifest changes. */
const KV_CACHE_TTL_S = 60;
/** How long an isolate trusts its copy of a manifest before asking KV again. */
const MANIFEST_CACHE_MS = 30_000;
/** KV value limit is 25 MiB; statistics snapshots are split under this. */
export const STATS_PART_BYTES = 20 * 1024 * 1024;

// Manifests change (a retrain flips them), so they expire; everything keyed by a version is immutable and is kept
// until evicted. A site without a model (null manifest) is cached too: its reads go to the D1 fallback anyway.
const manifests = new IsolateCache<string, Manifest | null>({ maxEntries: MANIFEST_CACHE_MAX_ENTRIES });
/** Shards with their size as KV returned them: the byte bound is what keeps decoded models within memory. */
// (null, "not in KV", is never stored: the loaders below give it a TTL of 0.)
const shards = new IsolateCache<string, { shard: DecodedShard; bytes: number } | null>({
  maxEntries: SHARD_CACHE_MAX_ENTRIES,
  maxWeight: SHARD_CACHE_MAX_BYTES,
  weigh: (s) => s?.bytes ?? 0,
});
const trendingLists = new IsolateCache<string, Neighbour[] | null>({ maxEntries: TRENDING_CACHE_MAX_ENTRIES });

export async function readManifest(kv: KVNamespace, siteId: string, opts: { fresh?: boolean } = {}): Promise<Manifest | null> {
  if (opts.fresh) {
    // The trainer must see the latest manifest, past KV's edge cache and this isolate's copy (which it refreshes).
    const manifest = await kv.get<Manifest>(kvKeys.manifest(siteId), { type: "json" });
    manifests.set(siteId, manifest, MANIFEST_CACHE_MS);
    return manifest;
  }
  return manifests.getOrLoad(siteId, () => kv.get<Manifest>(kvKeys.manifest(siteId), { type: "json", cacheTtl: KV_CACHE_TTL_S }), MANIFEST_CACHE_MS);
}

export async function writeManifest(kv: KVNamespace, siteId: string, manifest: Manifest): Promise<void> {
  await kv.put(kvKeys.manifest(siteId), JSON.stringify(manifest));
  manifests.set(siteId, manifest, MANIFEST_CACHE_MS);
}

/** One shard of a version, decoded, or null when KV does not have it (not yet propagated, or pruned). */
export async function readShard(kv: KVNamespace, siteId: string, version: string, index: number): Promise<DecodedShard | null> {
  return readShardAt(kv, kvKeys.shard(siteId, version, index));
}

/**
 * Any lists shard by its KV key (session lists, or the personalization lists). `legacyFamilies` names a format-1
 * shard's two slots, which it did not store; a key always holds the same artifact, so the cache stays consistent.
 */
export async function readShardAt(kv: KVNamespace, key: string, legacyFamilies?: readonly [string, string]): Promise<DecodedShard | null> {
  const hit = await shards.getOrLoad(
    key,
    async () => {
      const buf = await kv.get(key, { type: "arrayBuffer", cacheTtl: KV_CACHE_TTL_S });
      return buf ? { shard: decodeShard(new Uint8Array(buf), legacyFamilies), bytes: buf.byteLength } : null;
    },
    // Misses are not cached: a shard may simply not have reached this location yet.
    (s) => (s ? Infinity : 0),
  );
  return hit?.shard ?? null;
}

/** How long an isolate keeps the between-retrains trending list before asking KV again. */
const LIVE_TRENDING_MS = 60_000;
/** "No live list yet" (null) is cached too, for as long. */
const liveTrending = new IsolateCache<string, Neighbour[] | null>({ maxEntries: LIVE_TRENDING_CACHE_MAX_ENTRIES });

/** Trending for serving: the list refreshed between retrains when there is one, else the version's own. */
export async function readTrending(kv: KVNamespace, siteId: string, version: string): Promise<Neighbour[]> {
  const live = await liveTrending.getOrLoad(
    siteId,
    async () => {
      const buf = await kv.get(kvKeys.trendingLive(siteId), { type: "arrayBuffer", cacheTtl: KV_CACHE_TTL_S });
      return buf ? decodePopular(new Uint8Array(buf)) : null;
    },
    LIVE_TRENDING_MS,
  );
  return live && live.length > 0 ? live : readVersionTrending(kv, siteId, version);
}

async function readVersionTrending(kv: KVNamespace, siteId: string, version: string): Promise<Neighbour[]> {
  const key = kvKeys.trending(siteId, version);
  const list = await trendingLists.getOrLoad(
    key,
    async () => {
      const buf = await kv.get(key, { type: "arrayBuffer", cacheTtl: KV_CACHE_TTL_S });
      return buf ? decodePopular(new Uint8Array(buf)) : null;
    },
    // A missing list is not cached (it may not have propagated yet); a version's list never changes.
    (l) => (l ? Infinity : 0),
  );
  return list ?? [];
}

/** Reads and concatenates a version's statistics snapshot. */
export async function readStats(kv: KVNamespace, siteId: string, v: ModelVersion): Promise<Uint8Array | null> {
  const parts = await Promise.all(
    Array.from({ length: v.statsParts }, (_, p) => kv.get(kvKeys.statsPart(siteId, v.version, p), { type: "arrayBuffer" })),
  );
  if (parts.some((p) => p === null)) return null;
  const total = parts.reduce((n, p) => n + p!.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p!), off);
    off += p!.byteLength;
  }
  return out;
}

/** Puts many values with at most `concurrency` in flight (a Worker has 6 simultaneous connections). */
export async function putAll(kv: KVNamespace, entries: [string, ArrayBuffer | Uint8Array | string][], concurrency = 6): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [key, value] = entries[next++]!;
      await kv.put(key, value);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
}

/** Deletes every key of a version (after it fell out of the kept list). */
export async function deleteVersion(kv: KVNamespace, siteId: string, version: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix: kvKeys.versionPrefix(siteId, version), cursor });
    for (const k of page.keys) {
      await kv.delete(k.name);
      deleted++;
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return deleted;
}

/** Tests reset isolate caches between scenarios. */
export function clearModelCaches(): void {
  liveTrending.clear();
  personalData.clear();
  manifests.clear();
  shards.clear();
  trendingLists.clear();
}

const personalData = new IsolateCache<string, unknown>({ maxEntries: PERSONAL_DATA_CACHE_MAX_ENTRIES });

/** A version's personalization side data (segments, segment and category lists), cached per isolate by version. */
export async function readPersonalData<T>(kv: KVNamespace, siteId: string, version: string): Promise<T | null> {
  const key = kvKeys.personalData(siteId, version);
  const value = await personalData.getOrLoad(key, () => kv.get<T>(key, { type: "json", cacheTtl: KV_CACHE_TTL_S }), (v) => (v !== null ? Infinity : 0));
  // The cast is the caller's word on the stored JSON's shape, as kv.get<T> was before (one writer, train-personal).
  return value as T | null;
}
