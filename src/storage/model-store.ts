// Model artifacts in KV: write a version (shards first, manifest last), read the manifest and shards through an
// isolate-memory cache keyed by version, so a warm isolate scores without any KV read.
import { decodeShard, decodePopular, type DecodedShard } from "../models/artifact";
import type { Manifest, ModelVersion } from "../models/manifest";
import type { Neighbour } from "../recommend/types";
import { kvKeys } from "./kv-keys";

/** KV's edge cache for model reads (its minimum is 30 s); versions are immutable, only the manifest changes. */
const KV_CACHE_TTL_S = 60;
/** How long an isolate trusts its copy of a manifest before asking KV again. */
const MANIFEST_CACHE_MS = 30_000;
/** Decoded shards kept per isolate (an isolate has 128 MB shared by all requests). */
const MAX_CACHED_SHARD_BYTES = 32 * 1024 * 1024;
/** KV value limit is 25 MiB; statistics snapshots are split under this. */
export const STATS_PART_BYTES = 20 * 1024 * 1024;

const manifests = new Map<string, { manifest: Manifest | null; expires: number }>();
const shards = new Map<string, { shard: DecodedShard | null; bytes: number }>();
let cachedShardBytes = 0;
const trendingLists = new Map<string, Neighbour[]>();

export async function readManifest(kv: KVNamespace, siteId: string, opts: { fresh?: boolean } = {}): Promise<Manifest | null> {
  const now = Date.now();
  const hit = manifests.get(siteId);
  if (!opts.fresh && hit && hit.expires > now) return hit.manifest;
  const manifest = opts.fresh
    ? await kv.get<Manifest>(kvKeys.manifest(siteId), { type: "json" })
    : await kv.get<Manifest>(kvKeys.manifest(siteId), { type: "json", cacheTtl: KV_CACHE_TTL_S });
  manifests.set(siteId, { manifest, expires: now + MANIFEST_CACHE_MS });
  return manifest;
}

export async function writeManifest(kv: KVNamespace, siteId: string, manifest: Manifest): Promise<void> {
  await kv.put(kvKeys.manifest(siteId), JSON.stringify(manifest));
  manifests.set(siteId, { manifest, expires: Date.now() + MANIFEST_CACHE_MS });
}

/** One shard of a version, decoded, or null when KV does not have it (not yet propagated, or pruned). */
export async function readShard(kv: KVNamespace, siteId: string, version: string, index: number): Promise<DecodedShard | null> {
  return readShardAt(kv, kvKeys.shard(siteId, version, index));
}

/** Any two-list shard by its KV key (session lists, or the personalization lists). */
export async function readShardAt(kv: KVNamespace, key: string): Promise<DecodedShard | null> {
  const hit = shards.get(key);
  if (hit) {
    // Map order doubles as LRU order.
    shards.delete(key);
    shards.set(key, hit);
    return hit.shard;
  }
  const buf = await kv.get(key, { type: "arrayBuffer", cacheTtl: KV_CACHE_TTL_S });
  const shard = buf ? decodeShard(new Uint8Array(buf)) : null;
  // Misses are not cached: a shard may simply not have reached this location yet.
  if (shard) remember(key, shard, buf!.byteLength);
  return shard;
}

function remember(key: string, shard: DecodedShard, bytes: number): void {
  shards.set(key, { shard, bytes });
  cachedShardBytes += bytes;
  for (const [k, v] of shards) {
    if (cachedShardBytes <= MAX_CACHED_SHARD_BYTES) break;
    shards.delete(k);
    cachedShardBytes -= v.bytes;
  }
}

/** How long an isolate keeps the between-retrains trending list before asking KV again. */
const LIVE_TRENDING_MS = 60_000;
const liveTrending = new Map<string, { list: Neighbour[] | null; expires: number }>();

/** Trending for serving: the list refreshed between retrains when there is one, else the version's own. */
export async function readTrending(kv: KVNamespace, siteId: string, version: string): Promise<Neighbour[]> {
  const now = Date.now();
  let live = liveTrending.get(siteId);
  if (!live || live.expires <= now) {
    const buf = await kv.get(kvKeys.trendingLive(siteId), { type: "arrayBuffer", cacheTtl: KV_CACHE_TTL_S });
    live = { list: buf ? decodePopular(new Uint8Array(buf)) : null, expires: now + LIVE_TRENDING_MS };
    liveTrending.set(siteId, live);
  }
  return live.list && live.list.length > 0 ? live.list : readVersionTrending(kv, siteId, version);
}

async function readVersionTrending(kv: KVNamespace, siteId: string, version: string): Promise<Neighbour[]> {
  const key = kvKeys.trending(siteId, version);
  const hit = trendingLists.get(key);
  if (hit) return hit;
  const buf = await kv.get(key, { type: "arrayBuffer", cacheTtl: KV_CACHE_TTL_S });
  const list = buf ? decodePopular(new Uint8Array(buf)) : [];
  if (buf) {
    if (trendingLists.size > 100) trendingLists.clear();
    trendingLists.set(key, list);
  }
  return list;
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
  cachedShardBytes = 0;
}

const personalData = new Map<string, unknown>();

/** A version's personalization side data (segments, segment and category lists), cached per isolate by version. */
export async function readPersonalData<T>(kv: KVNamespace, siteId: string, version: string): Promise<T | null> {
  const key = kvKeys.personalData(siteId, version);
  if (personalData.has(key)) return personalData.get(key) as T;
  const value = await kv.get<T>(key, { type: "json", cacheTtl: KV_CACHE_TTL_S });
  if (value !== null) {
    if (personalData.size > 100) personalData.clear();
    personalData.set(key, value);
  }
  return value;
}
