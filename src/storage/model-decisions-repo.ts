// Canary rollout storage (issue 10 part 4): the decision log (model_decisions) and the one rollups read the
// guardrail compares versions with (impressions and clicks per model version since a day, every slot and variant).
import { desc, eq } from "drizzle-orm";
import { MODEL_DECISIONS_LISTED } from "../config/limits";
import type { ArmCounts } from "../recommend/canary-guardrail";
import { database } from "./db";
import { modelDecisions, type ModelDecisionRow } from "./schema";

export type ModelDecision = Omit<ModelDecisionRow, "decidedAt" | "id"> & { id: number; decidedAt: number };
export type NewModelDecision = Omit<ModelDecision, "id">;

export async function insertDecision(d1: D1Database, d: NewModelDecision): Promise<ModelDecision> {
  const row = await database(d1)
    .insert(modelDecisions)
    .values({ ...d, decidedAt: new Date(d.decidedAt) })
    .returning()
    .get();
  return view(row);
}

/** A site's decisions, newest first. */
export async function listDecisions(d1: D1Database, siteId: string, limit = MODEL_DECISIONS_LISTED): Promise<ModelDecision[]> {
  const rows = await database(d1)
    .select()
    .from(modelDecisions)
    .where(eq(modelDecisions.siteId, siteId))
    .orderBy(desc(modelDecisions.decidedAt), desc(modelDecisions.id))
    .limit(limit)
    .all();
  return rows.map(view);
}

function view(r: ModelDecisionRow): ModelDecision {
  return { ...r, decidedAt: r.decidedAt.getTime() };
}

/**
 * Impressions and clicks of the canary and the current version on the served days (UTC) from `since`'s on, summed over
 * variants and over the slots the canary was served in (lists served without a visitor key, such as an item's
 * similar list, always come from the current version and would skew its side): one query over rec_rollups.
 */
export async function canaryCounts(d1: D1Database, siteId: string, since: number, canary: string, current: string): Promise<{ canary: ArmCounts; current: ArmCounts }> {
  // Rollups are daily: the current version's side also counts its lists of that first day from before the canary.
  const fromDay = new Date(since).toISOString().slice(0, 10);
  const { results } = await d1
    .prepare(
      `SELECT model_version, SUM(impressions) AS impressions, SUM(clicks) AS clicks FROM rec_rollups
       WHERE site_id = ?1 AND day >= ?2 AND model_version IN (?3, ?4)
         AND slot IN (SELECT slot FROM rec_rollups WHERE site_id = ?1 AND day >= ?2 AND model_version = ?3)
       GROUP BY model_version`,
    )
    .bind(siteId, fromDay, canary, current)
    .all<{ model_version: string; impressions: number; clicks: number }>();
  const arm = (v: string): ArmCounts => {
    const r = results.find((x) => x.model_version === v);
    return { impressions: r?.impressions ?? 0, clicks: r?.clicks ?? 0 };
  };
  return { canary: arm(canary), current: arm(current) };
}
