// The one trending: the query's SQL, its parameters and the reading of its rows, free of Worker types so the
// evaluation (node:sqlite, scripts/eval/trending-db.ts) and the benchmark run the very same query from Node.
import { TRENDING_NEW_VISITOR_ITEM_THRESHOLD, TRENDING_NEW_VISITOR_MS, TRENDING_VISITOR_ITEM_CAP } from "../config/limits";
import { EVENT_TYPES, PATH_TYPES_SQL, TRENDING_WEIGHTS } from "../schemas/event-types";

export type TrendingQueryOptions = { windowMs: number; scaleMs: number; limit: number };

/** Trending: events of the last week, decayed with a one-day scale; the top 200 are kept. */
export const TRENDING_WINDOW: TrendingQueryOptions = { windowMs: 7 * 86_400_000, scaleMs: 86_400_000, limit: 200 };

/**
 * Event-type weights for trending (a purchase says more than a view), generated from the event-type table: one
 * WHEN per type and no ELSE, so there is no default weight (a type outside the table would score NULL, which SUM
 * skips). Weights print as REAL literals (`5.0`) so the sum stays floating point.
 */
export const TRENDING_WEIGHT_SQL = `CASE type ${EVENT_TYPES.map((t) => `WHEN '${t}' THEN ${TRENDING_WEIGHTS[t].toFixed(1)}`).join(" ")} END`;

/**
 * Time-decayed popularity over the last `windowMs`, robust to one visitor's and to invented visitors' volume:
 * 1. each event weighs typeWeight / (1 + age / scaleMs) (a hyperbolic decay);
 * 2. a visitor's (profile's) events on one item sum to at most TRENDING_VISITOR_ITEM_CAP (one purchase);
 * 3. per item, the capped sums of established visitors add up in full; those of new visitors (the Worker received
 *    its first counted event from them in the window less than TRENDING_NEW_VISITOR_MS ago) add up to `fresh`,
 *    which counts as min(fresh, T) + sqrt(max(0, fresh - T)) with T = TRENDING_NEW_VISITOR_ITEM_THRESHOLD.
 * "New" goes by `received_at`, the server's clock: event times are the client's word and may be backdated by up to
 * 30 days, and `profiles.first_seen` follows them. The damping is monotone, so items that only new visitors saw (a
 * new site) keep their order. SQLite's sqrt() is compiled into workerd (and so D1). Ties go by item id.
 * Parameters: ?1 site, ?2 now, ?3 decay scale, ?4 window start, ?5 limit, ?6 cap, ?7 "new" cut-off, ?8 threshold.
 */
export const TRENDING_SQL = `WITH visitor_item AS (
  SELECT item_id,
         MIN(SUM(${TRENDING_WEIGHT_SQL} / (1.0 + (?2 - ts) / ?3)), ?6) AS score,
         MIN(MIN(received_at)) OVER (PARTITION BY profile_id) AS first_received
  FROM events WHERE site_id = ?1 AND ts > ?4 AND item_id IS NOT NULL AND type IN (${PATH_TYPES_SQL})
  GROUP BY profile_id, item_id
), item_parts AS (
  SELECT item_id,
         TOTAL(CASE WHEN first_received <= ?7 THEN score END) AS settled,
         TOTAL(CASE WHEN first_received > ?7 THEN score END) AS fresh
  FROM visitor_item GROUP BY item_id
)
SELECT item_id, settled + MIN(fresh, ?8) + sqrt(MAX(fresh - ?8, 0.0)) AS score
FROM item_parts ORDER BY score DESC, item_id LIMIT ?5`;

/** The bound parameters of TRENDING_SQL, in order. */
export function trendingParams(siteId: string, now: number, opts: TrendingQueryOptions): (string | number)[] {
  return [
    siteId,
    now,
    opts.scaleMs,
    now - opts.windowMs,
    opts.limit,
    TRENDING_VISITOR_ITEM_CAP,
    now - TRENDING_NEW_VISITOR_MS,
    TRENDING_NEW_VISITOR_ITEM_THRESHOLD,
  ];
}

/** A row of TRENDING_SQL. */
export type TrendingRow = { item_id: string; score: number };

/**
 * The site's trending items from TRENDING_SQL's rows, best first, each id once. SQLite groups item ids by their
 * bytes, and rows written before ids had to be well-formed hold invalid UTF-8 (a lone surrogate through json_each)
 * that reads back as the same U+FFFD string for several distinct byte sequences. Keeping the first (best) of each id
 * means such old rows cannot keep a site's training or trending down (encodePopular refuses duplicates).
 */
export function trendingFromRows(rows: readonly TrendingRow[]): { itemId: string; score: number }[] {
  const seen = new Set<string>();
  const out: { itemId: string; score: number }[] = [];
  for (const r of rows) {
    if (seen.has(r.item_id)) continue;
    seen.add(r.item_id);
    out.push({ itemId: r.item_id, score: r.score });
  }
  return out;
}

/** The part of a D1 binding the trending query uses (D1Database, and Miniflare's D1 from Node, satisfy it). */
export type TrendingDb = {
  prepare(sql: string): { bind(...values: (string | number)[]): { all<T>(): Promise<{ results: T[] }> } };
};

/**
 * Trending over the last `windowMs` (the rule is documented at TRENDING_SQL): one aggregate query per site, its rows
 * read by trendingFromRows, exactly as the evaluation reads them from node:sqlite. The 10-minute refresh, the
 * retrain and the no-model fallback all call this.
 */
export async function trendingItems(d1: TrendingDb, siteId: string, now: number, opts: TrendingQueryOptions): Promise<{ itemId: string; score: number }[]> {
  const { results } = await d1.prepare(TRENDING_SQL).bind(...trendingParams(siteId, now, opts)).all<TrendingRow>();
  return trendingFromRows(results);
}
