// Experiments in D1 (issue 10 part 3) and the per-isolate cache of each site's running ones read on the serve path.
import { and, asc, eq } from "drizzle-orm";
import { EXPERIMENT_CACHE_MAX_ENTRIES, EXPERIMENT_CACHE_MS } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import type { ExperimentRollupRow } from "../recommend/experiment-results";
import type { RunningExperiment } from "../recommend/experiments";
import type { ExperimentConfig } from "../schemas/experiments";
import type { Database } from "./db";
import type { SiteConfig } from "../schemas/site-config";
import { experiments, sites, type ExperimentRow } from "./schema";

export async function findExperiment(db: Database, siteId: string, id: string): Promise<ExperimentRow | undefined> {
  return db.select().from(experiments).where(and(eq(experiments.siteId, siteId), eq(experiments.id, id))).get();
}

export async function listExperiments(db: Database, siteId: string): Promise<ExperimentRow[]> {
  return db.select().from(experiments).where(eq(experiments.siteId, siteId)).orderBy(asc(experiments.id)).all();
}

/** Creates or replaces a draft (the caller checks it is not running or stopped). */
export async function saveDraft(db: Database, siteId: string, id: string, config: ExperimentConfig, now: Date): Promise<ExperimentRow> {
  return db
    .insert(experiments)
    .values({ siteId, id, config, status: "draft", createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [experiments.siteId, experiments.id], set: { config, updatedAt: now } })
    .returning()
    .get();
}

export async function updateExperiment(
  db: Database,
  siteId: string,
  id: string,
  set: Partial<Pick<ExperimentRow, "status" | "startedAt" | "stoppedAt" | "winner">>,
  now: Date,
): Promise<ExperimentRow> {
  return db
    .update(experiments)
    .set({ ...set, updatedAt: now })
    .where(and(eq(experiments.siteId, siteId), eq(experiments.id, id)))
    .returning()
    .get();
}

/** Writes the winner's site config and records the winner (stopping the experiment if running) in one D1 batch. */
export async function declareWinner(db: Database, siteId: string, id: string, winner: string, config: SiteConfig, stop: boolean, now: Date): Promise<ExperimentRow> {
  const [, rows] = await db.batch([
    db.update(sites).set({ config, updatedAt: now }).where(eq(sites.id, siteId)),
    db
      .update(experiments)
      .set({ ...(stop ? { status: "stopped" as const, stoppedAt: now } : {}), winner, updatedAt: now })
      .where(and(eq(experiments.siteId, siteId), eq(experiments.id, id)))
      .returning(),
  ]);
  return rows[0]!;
}

const runningCache = new IsolateCache<string, RunningExperiment[]>({ maxEntries: EXPERIMENT_CACHE_MAX_ENTRIES });

/** A site's running experiments, cached per isolate for EXPERIMENT_CACHE_MS (one indexed D1 read when cold). */
export function runningExperiments(db: Database, siteId: string): Promise<RunningExperiment[]> {
  return runningCache.getOrLoad(
    siteId,
    async () => {
      const rows = await db
        .select()
        .from(experiments)
        .where(and(eq(experiments.siteId, siteId), eq(experiments.status, "running")))
        .all();
      return rows.map((r) => ({ id: r.id, config: r.config, startedAt: r.startedAt?.getTime() ?? 0 }));
    },
    EXPERIMENT_CACHE_MS,
  );
}

/** Drops this isolate's cached running experiments (after a start, stop or winner); others expire within the TTL. */
export function clearExperimentCache(siteId: string): void {
  runningCache.delete(siteId);
}

/**
 * An experiment's rollup counters per variant label (`experimentId:variantName`), optionally one slot: one grouped
 * query over rec_rollups. The labels name this experiment only (ids are unique per site and never reused).
 */
export async function readExperimentRollups(d1: D1Database, siteId: string, labels: readonly string[], slot?: string): Promise<ExperimentRollupRow[]> {
  const marks = labels.map((_, i) => `?${i + 3}`).join(", ");
  const { results } = await d1
    .prepare(
      `SELECT variant, SUM(visitors) AS visitors, SUM(lists_served) AS listsServed, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(carts) AS carts,
              SUM(purchases) AS purchases, SUM(revenue) AS revenue, SUM(revenue_sq) AS revenueSq
       FROM rec_rollups WHERE site_id = ?1 AND (?2 IS NULL OR slot = ?2) AND variant IN (${marks})
       GROUP BY variant`,
    )
    .bind(siteId, slot ?? null, ...labels)
    .all<ExperimentRollupRow>();
  return results;
}
