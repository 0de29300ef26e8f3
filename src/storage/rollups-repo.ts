// Recommendation rollups (rec_rollups): the ingest statement that bumps them from the rows one transaction really
// inserted (impressions and clicks by their list's exposure, carts and purchases by last-touch attribution), and
// the one query GET /admin/metrics reads them with. Plain D1 statements, like events-repo.ts.
import { ATTRIBUTION_WINDOW_MS } from "../config/limits";
import type { EventType } from "../schemas/event-types";

const IMPRESSION = "impression" satisfies EventType;
const CLICK = "click" satisfies EventType;
const CART = "add_to_cart" satisfies EventType;
const PURCHASE = "purchase" satisfies EventType;

const isNumber = (path: string) => `json_type(p.properties, '${path}') IN ('integer', 'real')`;

/**
 * A purchase's revenue from its properties: `price` × `quantity` (quantity 1 when absent), else `revenue`, else 0.
 * Carts carry no revenue.
 */
const REVENUE = `CASE WHEN p.type <> '${PURCHASE}' THEN 0.0
  WHEN ${isNumber("$.price")} THEN json_extract(p.properties, '$.price') * (CASE WHEN ${isNumber("$.quantity")} THEN json_extract(p.properties, '$.quantity') ELSE 1 END)
  WHEN ${isNumber("$.revenue")} THEN json_extract(p.properties, '$.revenue')
  ELSE 0.0 END`;

/**
 * ?1 the ingest id, ?2 the attribution window (ms). Two kinds of rows feed one grouped upsert:
 * - impressions and clicks this transaction inserted that carry an exposure (rec_* columns); `first` marks a list's
 *   first impression (lists served) or first click (clicked lists) in the whole log, so counts stay distinct, and
 *   `first_visitor` a profile's first impression in the variant (visitors; events_rec_visitor index);
 * - carts and purchases this transaction inserted, attributed to the list of the same profile's latest recommended
 *   click on the same item at most ?2 ms before (events_rec_click index). Unattributed ones join nothing.
 * Both sides read only rows tagged with ?1, so a retried batch (whose rows ON CONFLICT skipped) adds nothing.
 */
const AGGREGATE_ROLLUPS = `
INSERT INTO rec_rollups (site_id, day, slot, variant, model_version, lists_served, impressions, clicked_impressions, clicks, carts, purchases, revenue, revenue_sq, visitors)
SELECT site_id, day, slot, variant, model,
  COUNT(DISTINCT CASE WHEN type = '${IMPRESSION}' AND first THEN rec_id END), SUM(type = '${IMPRESSION}'),
  COUNT(DISTINCT CASE WHEN type = '${CLICK}' AND first THEN rec_id END), SUM(type = '${CLICK}'),
  SUM(type = '${CART}'), SUM(type = '${PURCHASE}'), SUM(revenue), SUM(revenue * revenue),
  COUNT(DISTINCT CASE WHEN type = '${IMPRESSION}' AND first_visitor THEN profile_id END)
FROM (
  SELECT e.site_id, e.type, e.rec_day AS day, e.rec_slot AS slot, e.rec_variant AS variant, e.rec_model AS model, e.rec_id,
         0.0 AS revenue, e.profile_id,
         NOT EXISTS (SELECT 1 FROM events o WHERE o.site_id = e.site_id AND o.rec_id = e.rec_id AND o.type = e.type AND o.ingest_id IS NOT ?1) AS first,
         e.type = '${IMPRESSION}' AND NOT EXISTS (SELECT 1 FROM events o WHERE o.site_id = e.site_id AND o.profile_id = e.profile_id
           AND o.rec_variant = e.rec_variant AND o.type = '${IMPRESSION}' AND o.rec_id IS NOT NULL AND o.ingest_id IS NOT ?1) AS first_visitor
  FROM events e
  WHERE e.ingest_id = ?1 AND e.rec_id IS NOT NULL AND e.type IN ('${IMPRESSION}', '${CLICK}')
  UNION ALL
  SELECT p.site_id, p.type, c.rec_day, c.rec_slot, c.rec_variant, c.rec_model, NULL, ${REVENUE}, NULL, 0, 0
  FROM events p
  JOIN events c ON c.rowid = (
    SELECT k.rowid FROM events k
    WHERE k.site_id = p.site_id AND k.profile_id = p.profile_id AND k.item_id = p.item_id AND k.type = '${CLICK}' AND k.rec_id IS NOT NULL
      AND k.ts <= p.ts AND k.ts >= p.ts - ?2
    ORDER BY k.ts DESC LIMIT 1)
  WHERE p.ingest_id = ?1 AND p.item_id IS NOT NULL AND p.type IN ('${CART}', '${PURCHASE}')
) WHERE true
GROUP BY site_id, day, slot, variant, model
ON CONFLICT(site_id, day, slot, variant, model_version) DO UPDATE SET
  lists_served = rec_rollups.lists_served + excluded.lists_served,
  impressions = rec_rollups.impressions + excluded.impressions,
  clicked_impressions = rec_rollups.clicked_impressions + excluded.clicked_impressions,
  clicks = rec_rollups.clicks + excluded.clicks,
  carts = rec_rollups.carts + excluded.carts,
  purchases = rec_rollups.purchases + excluded.purchases,
  revenue = rec_rollups.revenue + excluded.revenue,
  revenue_sq = rec_rollups.revenue_sq + excluded.revenue_sq,
  visitors = rec_rollups.visitors + excluded.visitors`;

/** The rollup upsert of one ingest transaction; goes in its db.batch after the events insert. */
export function rollupStatement(d1: D1Database, ingestId: string, windowMs: number = ATTRIBUTION_WINDOW_MS): D1PreparedStatement {
  return d1.prepare(AGGREGATE_ROLLUPS).bind(ingestId, windowMs);
}

export type MetricsRow = {
  day: string;
  slot: string;
  variant: string;
  modelVersion: string | null;
  listsServed: number;
  impressions: number;
  clickedImpressions: number;
  clicks: number;
  carts: number;
  purchases: number;
  revenue: number;
  /** Sum of attributed purchases' revenue squared (experiment results' revenue variance). */
  revenueSq: number;
  /** Distinct visitors first shown a list of this variant in this row (summed: the variant's distinct visitors). */
  visitors: number;
  /** clicks / impressions; null without impressions. */
  ctr: number | null;
  /** purchases / clicks; null without clicks. */
  conversion: number | null;
};

type RollupSqlRow = {
  day: string;
  slot: string;
  variant: string;
  model_version: string;
  lists_served: number;
  impressions: number;
  clicked_impressions: number;
  clicks: number;
  carts: number;
  purchases: number;
  revenue: number;
  revenue_sq: number;
  visitors: number;
};

/** One site's rollup rows for days from..to (inclusive, YYYY-MM-DD), optionally one slot: one query. */
export async function readMetrics(d1: D1Database, siteId: string, from: string, to: string, slot?: string): Promise<MetricsRow[]> {
  const { results } = await d1
    .prepare(
      `SELECT day, slot, variant, model_version, lists_served, impressions, clicked_impressions, clicks, carts, purchases, revenue, revenue_sq, visitors
       FROM rec_rollups WHERE site_id = ?1 AND day BETWEEN ?2 AND ?3 AND (?4 IS NULL OR slot = ?4)
       ORDER BY day, slot, variant, model_version`,
    )
    .bind(siteId, from, to, slot ?? null)
    .all<RollupSqlRow>();
  return results.map((r) => ({
    day: r.day,
    slot: r.slot,
    variant: r.variant,
    modelVersion: r.model_version === "" ? null : r.model_version,
    listsServed: r.lists_served,
    impressions: r.impressions,
    clickedImpressions: r.clicked_impressions,
    clicks: r.clicks,
    carts: r.carts,
    purchases: r.purchases,
    revenue: r.revenue,
    revenueSq: r.revenue_sq,
    visitors: r.visitors,
    ctr: r.impressions > 0 ? r.clicks / r.impressions : null,
    conversion: r.clicks > 0 ? r.purchases / r.clicks : null,
  }));
}
