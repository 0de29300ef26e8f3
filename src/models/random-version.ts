// A deliberately bad model version for simulations and tests of the canary guardrail (POST /admin/models/:site/canary
// with build "random"): the served version's artifact with every list replaced by random items of its own catalog.
// Its statistics are the newest version's, copied, so an incremental retrain after it resumes exactly as before.
import { ARTIFACT_VERSION, decodePopular, decodeShard, encodePopular, encodeShard, type DecodedShard, type FamilyLists } from "./artifact";
import { latestStats, type Manifest, type ModelVersion } from "./manifest";
import { LEGACY_PERSONAL_FAMILIES } from "./personal-artifact";
import type { PersonalData } from "./train-personal";
import { seededRandom } from "../recommend/random";
import type { Neighbour } from "../recommend/types";
import { kvKeys } from "../storage/kv-keys";
import { putAll, readStats, STATS_PART_BYTES } from "../storage/model-store";

/** Random lists are at least this long (an empty list would only fall back to trending, which is not bad enough). */
const MIN_RANDOM_LIST = 10;

/** `n` distinct random items of `pool` other than `self`, scored 1 down to 1/n (the scorer wants them descending). */
export function randomList(pool: readonly string[], n: number, rand: () => number, self?: string): Neighbour[] {
  const picked = new Set<string>();
  const want = Math.min(n, pool.length - (self !== undefined && pool.includes(self) ? 1 : 0));
  while (picked.size < want) {
    const id = pool[Math.floor(rand() * pool.length)]!;
    if (id !== self) picked.add(id);
  }
  return [...picked].map((itemId, i) => ({ itemId, score: (want - i) / want }));
}

/** A shard with the same items and families as `shard`, each list replaced by random items of `pool`. */
export function randomizedShard(shard: DecodedShard, pool: readonly string[], rand: () => number): Uint8Array {
  const entries = shard.items().map((itemId) => {
    const own = shard.get(itemId) ?? {};
    const lists: Record<string, Neighbour[]> = {};
    for (const f of shard.families) lists[f] = randomList(pool, Math.max(MIN_RANDOM_LIST, (own as FamilyLists)[f]?.length ?? 0), rand, itemId);
    return { itemId, lists };
  });
  return encodeShard(entries, shard.shardIndex, shard.nShards, shard.families);
}

async function readBytes(kv: KVNamespace, key: string): Promise<Uint8Array> {
  const buf = await kv.get(key, { type: "arrayBuffer" });
  if (!buf) throw new Error(`model key ${key} is missing`);
  return new Uint8Array(buf);
}

/**
 * Writes a random copy of the served version under a new version name and returns its entry (the caller puts it
 * in the manifest, as a canary). `seed` makes the lists reproducible.
 */
export async function writeRandomVersion(kv: KVNamespace, siteId: string, m: Manifest, version: string, now: number, seed = now): Promise<ModelVersion> {
  const cur = m.current;
  const rand = seededRandom(seed);
  const [sessionShards, personalShards, trending, data] = await Promise.all([
    Promise.all(Array.from({ length: cur.nShards }, async (_, i) => decodeShard(await readBytes(kv, kvKeys.shard(siteId, cur.version, i))))),
    Promise.all(
      Array.from({ length: cur.personal?.nShards ?? 0 }, async (_, i) =>
        decodeShard(await readBytes(kv, kvKeys.personalShard(siteId, cur.version, i)), LEGACY_PERSONAL_FAMILIES),
      ),
    ),
    kv.get(kvKeys.trending(siteId, cur.version), { type: "arrayBuffer" }),
    kv.get<PersonalData>(kvKeys.personalData(siteId, cur.version), { type: "json" }),
  ]);
  const pool = [...new Set([...sessionShards, ...personalShards].flatMap((s) => s.items()))];
  const trendingLength = trending ? decodePopular(new Uint8Array(trending)).length : MIN_RANDOM_LIST;
  const randomData: PersonalData | null = data && {
    segments: data.segments,
    segmentPopular: data.segmentPopular.map((l) => randomList(pool, Math.max(MIN_RANDOM_LIST, l.length), rand)),
    trendingByCategory: Object.fromEntries(Object.entries(data.trendingByCategory).map(([c, l]) => [c, randomList(pool, Math.max(MIN_RANDOM_LIST, l.length), rand)])),
  };
  const stats = latestStats(m);
  const snapshot = await readStats(kv, siteId, stats);
  if (!snapshot) throw new Error(`statistics of ${stats.version} are missing`);
  const statsParts = Math.max(1, Math.ceil(snapshot.byteLength / STATS_PART_BYTES));
  const shards = sessionShards.map((s) => randomizedShard(s, pool, rand));
  const personal = personalShards.map((s) => randomizedShard(s, pool, rand));
  const trendingBytes = encodePopular(randomList(pool, Math.max(MIN_RANDOM_LIST, trendingLength), rand));
  const entries: [string, Uint8Array][] = [
    ...shards.map((s, i): [string, Uint8Array] => [kvKeys.shard(siteId, version, i), s]),
    ...personal.map((s, i): [string, Uint8Array] => [kvKeys.personalShard(siteId, version, i), s]),
    [kvKeys.trending(siteId, version), trendingBytes],
    ...Array.from({ length: statsParts }, (_, p): [string, Uint8Array] => [
      kvKeys.statsPart(siteId, version, p),
      snapshot.subarray(p * STATS_PART_BYTES, (p + 1) * STATS_PART_BYTES),
    ]),
  ];
  if (randomData) entries.push([kvKeys.personalData(siteId, version), new TextEncoder().encode(JSON.stringify(randomData))]);
  await putAll(kv, entries);
  return {
    version,
    createdAt: now,
    format: ARTIFACT_VERSION,
    families: sessionShards[0]?.families.slice() ?? cur.families,
    configDigest: stats.configDigest,
    itemCount: cur.itemCount,
    nShards: cur.nShards,
    statsParts,
    watermark: stats.watermark,
    cutBucket: stats.cutBucket,
    bytes: { shards: shards.reduce((n, s) => n + s.byteLength, 0), trending: trendingBytes.byteLength, stats: snapshot.byteLength, personal: personal.reduce((n, s) => n + s.byteLength, 0) },
    personal: cur.personal && { nShards: cur.personal.nShards, families: personalShards[0]?.families.slice() ?? cur.personal.families },
    metrics: { mode: "random", randomOf: cur.version, items: cur.itemCount },
  };
}
