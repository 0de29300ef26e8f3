// The retrain job (hourly cron and POST /admin/retrain): per site, start from the newest statistics snapshot plus
// the deltas SessionDOs flushed since, or count the raw log from scratch when there is no usable snapshot; build
// the per-item lists; write a new versioned artifact to KV (shards, trending, statistics) and flip the manifest last.
// A site whose canary policy says so gets the new version as a canary (src/models/canary.ts), not as current.
import { encodePopular } from "./artifact";
import { configDigest, latestStats, withNewVersion, type Manifest, type ModelVersion } from "./manifest";
import { encodeShards } from "./shards";
import { trainPersonal, type PersonalData } from "./train-personal";
import { normalised, TRENDING_WINDOW, trendingList } from "./trending-refresh";
import { decodeStats, encodeStats } from "./stats-codec";
import { BUCKET_MS, bucketOf, rowsToStats } from "./stats-delta";
import { DEFAULT_MODEL_CONFIG, SessionModelTrainer } from "../recommend/trainer";
import type { Neighbour } from "../recommend/types";
import { kvKeys } from "../storage/kv-keys";
import { acquireLease, releaseLease } from "../storage/leases";
import { deleteVersion, putAll, readManifest, readPersonalData, readStats, STATS_PART_BYTES, writeManifest } from "../storage/model-store";
import { deleteDeltasUpTo, forEachDeltaPage, forEachTrainingSession } from "../storage/training-repo";
import { database } from "../storage/db";
import { listSites } from "../storage/sites-repo";
import { canaryPolicy } from "./canary";

const LEASE_MS = 15 * 60_000;

/**
 * The lease every writer of a site's manifest holds (retrain, canary publish, guardrail, rollback): each reads the
 * manifest fresh and writes it whole, so two of them at once would lose one's change.
 */
export const modelLease = (siteId: string): string => `retrain:${siteId}`;

export type TrainOptions = {
  now?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  fromScratch?: boolean;
  /** Publish as a canary with this share (a site without a model yet serves it at once). */
  canary?: { share: number };
};
export type TrainResult = { siteId: string; version: ModelVersion } | { siteId: string; skipped: string };

function defaultLog(msg: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ job: "retrain", msg, ...fields }));
}

/** Trains one site. Safe to rerun: it never counts a session or a delta twice (see manifest watermark/cutBucket). */
export async function trainSite(env: Env, siteId: string, opts: TrainOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? defaultLog;
  const now = opts.now ?? Date.now();
  const holder = crypto.randomUUID();
  const lease = modelLease(siteId);
  if (!(await acquireLease(env.DB, lease, holder, LEASE_MS, now))) {
    log("another retrain of this site is running; skipped", { siteId });
    return { siteId, skipped: "already running" };
  }
  try {
    const version = await train(env, siteId, now, log, opts.fromScratch ?? false, opts.canary);
    return typeof version === "string" ? { siteId, skipped: version } : { siteId, version };
  } finally {
    await releaseLease(env.DB, lease, holder);
  }
}

/**
 * The session statistics of this retrain: the previous version's snapshot plus the live deltas (incremental), or the
 * raw log counted again (scratch), built into the session model and encoded. The statistics' pair tables are the
 * retrain's largest allocation: they live only inside this call, so they are garbage before the personal families
 * are trained (bench/train-scale.ts measures the two phases).
 */
async function countSessions(env: Env, siteId: string, now: number, previous: Manifest | null, forceScratch: boolean, log: NonNullable<TrainOptions["log"]>) {
  const config = DEFAULT_MODEL_CONFIG;
  const digest = await configDigest(config);
  const trainer = new SessionModelTrainer(config);
  let watermark = 0;
  let cutBucket = bucketOf(now);
  let mode = "scratch";
  const base = previous && !forceScratch ? latestStats(previous) : null;
  const snapshot = base && base.configDigest === digest ? await readStats(env.MODELS, siteId, base) : null;
  if (base && snapshot) {
    trainer.mergeStats(decodeStats(snapshot));
    watermark = base.watermark;
    cutBucket = base.cutBucket;
    mode = "incremental";
    log("loaded statistics snapshot", { siteId, from: base.version, sessions: trainer.sessions });
  } else {
    // Count the raw log up to the start of this hour (the R2 archive, plus D1 rows older than it); steps from then
    // on arrive as SessionDO deltas.
    const scan = await forEachTrainingSession(
      env,
      siteId,
      cutBucket * BUCKET_MS,
      (items) => trainer.pushSession(items),
      (rows) => log("reading sessions", { siteId, rows }),
    );
    log("counted the raw event log", { siteId, sessions: trainer.sessions, rows: scan.rows, queries: scan.queries, archiveObjects: scan.objects });
  }

  let deltaRowsUsed = 0;
  const deltas = await forEachDeltaPage(env.DB, siteId, watermark, config.count, (rows) => {
    const fresh = rows.filter((r) => r.bucket >= cutBucket);
    deltaRowsUsed += fresh.length;
    if (fresh.length > 0) trainer.mergeStats(rowsToStats(fresh, config.count));
  });
  log("merged live deltas", { siteId, rows: deltas.rows, used: deltaRowsUsed });
  // Encoded here, so the built model (typed arrays of every list) is garbage before the personal families and the
  // re-ranker's head copy train; only its item count and popularity list live on.
  const model = trainer.build();
  const built = { artifact: encodeShards(model), itemCount: model.items.length, popular: model.popular.slice(0, TRENDING_WINDOW.limit) };
  return { digest, built, stats: encodeStats(trainer.stats()), sessions: trainer.sessions, pruned: trainer.pruned, mode, cutBucket, deltas, deltaRowsUsed };
}

/** The skip reason when a canary retrain finds the previous canary still pending (the guardrail decides it first). */
export const CANARY_PENDING = "a canary is pending";

async function train(
  env: Env,
  siteId: string,
  now: number,
  log: NonNullable<TrainOptions["log"]>,
  forceScratch: boolean,
  canary: TrainOptions["canary"],
): Promise<ModelVersion | string> {
  const started = Date.now();
  const previous = await readManifest(env.MODELS, siteId, { fresh: true });
  if (canary && previous?.canary) {
    log("a canary is pending; skipped", { siteId, canary: previous.canary.version });
    return CANARY_PENDING;
  }
  const { digest, built, stats, sessions, pruned, mode, cutBucket, deltas, deltaRowsUsed } = await countSessions(env, siteId, now, previous, forceScratch, log);
  const { artifact, itemCount } = built;
  const trending = await trendingList(env.DB, siteId, now);
  const backfill: Neighbour[] = trending.length > 0 ? normalised(trending) : built.popular;
  // The previous version's personal data: its segments, so segment ids carry over (src/recommend/segment-matching.ts),
  // and its re-ranker, carried forward between daily refits (src/models/train-rerank.ts).
  const previousData = async () => (previous ? await readPersonalData<PersonalData>(env.MODELS, siteId, previous.current.version) : null);
  const personal = await trainPersonal(env.DB, siteId, now, backfill, log, previousData);
  const statsParts = Math.max(1, Math.ceil(stats.byteLength / STATS_PART_BYTES));

  const version = newVersionName(now);
  const entries: [string, Uint8Array][] = [
    ...artifact.shards.map((s, i): [string, Uint8Array] => [kvKeys.shard(siteId, version, i), s]),
    [kvKeys.trending(siteId, version), encodePopular(backfill)],
    // The between-retrains list starts from this version's, so serving never falls back to something older.
    [kvKeys.trendingLive(siteId), encodePopular(backfill)],
    ...personal.artifact.shards.map((s, i): [string, Uint8Array] => [kvKeys.personalShard(siteId, version, i), s]),
    [kvKeys.personalData(siteId, version), new TextEncoder().encode(JSON.stringify(personal.data))],
    ...Array.from({ length: statsParts }, (_, p): [string, Uint8Array] => [
      kvKeys.statsPart(siteId, version, p),
      stats.subarray(p * STATS_PART_BYTES, (p + 1) * STATS_PART_BYTES),
    ]),
  ];
  await putAll(env.MODELS, entries);

  const v: ModelVersion = {
    version,
    createdAt: now,
    format: artifact.meta.formatVersion,
    families: artifact.meta.families,
    configDigest: digest,
    itemCount,
    nShards: artifact.meta.nShards,
    statsParts,
    watermark: deltas.maxId,
    cutBucket,
    bytes: {
      shards: artifact.shards.reduce((n, s) => n + s.byteLength, 0),
      trending: entries[artifact.shards.length]![1].byteLength,
      stats: stats.byteLength,
      personal: personal.artifact.meta.totalBytes,
    },
    personal: { nShards: personal.artifact.meta.nShards, families: personal.artifact.meta.families },
    metrics: {
      mode,
      sessions,
      ...(pruned > 0 ? { prunedPairs: pruned } : {}),
      items: itemCount,
      deltaRows: deltaRowsUsed,
      trendingItems: backfill.length,
      bytesPerItem: itemCount ? Math.round(artifact.meta.totalBytes / itemCount) : 0,
      ...personal.metrics,
      trainMs: Date.now() - started,
    },
  };
  // The manifest flips last: a reader never sees a version whose shards were not written first.
  const { manifest, dropped } = withNewVersion(previous, v, canary && { share: canary.share, now });
  await writeManifest(env.MODELS, siteId, manifest);
  const consumed = await deleteDeltasUpTo(env.DB, siteId, deltas.maxId);
  for (const old of dropped) await deleteVersion(env.MODELS, siteId, old.version);
  log("published", { siteId, version, as: manifest.canary?.version === version ? "canary" : "current", ...v.metrics, consumedDeltas: consumed, dropped: dropped.map((d) => d.version) });
  return v;
}

/** A new version's name; two made in the same millisecond (a rerun in a test) still get distinct names. */
export function newVersionName(now: number): string {
  return `v${now.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, "0")}`;
}

/** The cron entry: every site in turn, as a canary where the site's policy says so; one failure does not stop the others. */
export async function runRetrain(env: Env, scheduledTime: number): Promise<TrainResult[]> {
  const sites = await listSites(database(env.DB));
  const out: TrainResult[] = [];
  for (const { id, config } of sites) {
    try {
      const policy = canaryPolicy(config);
      out.push(await trainSite(env, id, { now: scheduledTime, canary: policy.retrain ? { share: policy.share } : undefined }));
    } catch (err) {
      console.error(JSON.stringify({ job: "retrain", siteId: id, error: err instanceof Error ? err.message : String(err) }));
    }
  }
  return out;
}

export type { Manifest };
