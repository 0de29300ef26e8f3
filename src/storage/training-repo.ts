// D1 reads for training: sessions from the raw log in keyset pages, statistic deltas above a watermark, trending.
import { PATH_TYPES_SQL } from "../schemas/event-types";
import type { DeltaRow } from "../models/stats-delta";
import { parseDeltaBody } from "./deltas-repo";

// The trending query lives with its SQL (free of Worker types, so the evaluation's tests call it on Miniflare's D1).
export { trendingItems } from "./trending-sql";

/** Rows per page: large enough for few queries (D1 allows 1,000 per invocation), small enough for flat memory. */
export const TRAIN_PAGE_ROWS = 5000;

/**
 * Streams every session's path (item ids in time order) for steps before `beforeTs`, one page at a time, never
 * holding more than a page plus one open session. Returns the number of queries made.
 */
export async function forEachSession(
  d1: D1Database,
  siteId: string,
  beforeTs: number,
  onSession: (items: string[]) => void,
  onPage?: (rowsSoFar: number) => void,
): Promise<{ queries: number; rows: number }> {
  let cursor: [string, number, string] = ["", -1, ""];
  let current: { id: string; items: string[] } | null = null;
  let queries = 0;
  let rows = 0;
  for (;;) {
    const { results } = await d1
      .prepare(
        `SELECT session_id, item_id, ts, id FROM events
         WHERE site_id = ?1 AND ts < ?2 AND item_id IS NOT NULL AND type IN (${PATH_TYPES_SQL})
           AND (session_id, ts, id) > (?3, ?4, ?5)
         ORDER BY session_id, ts, id LIMIT ?6`,
      )
      .bind(siteId, beforeTs, cursor[0], cursor[1], cursor[2], TRAIN_PAGE_ROWS)
      .all<{ session_id: string; item_id: string; ts: number; id: string }>();
    queries++;
    for (const r of results) {
      if (current && current.id !== r.session_id) {
        onSession(current.items);
        current = null;
      }
      if (!current) current = { id: r.session_id, items: [] };
      current.items.push(r.item_id);
    }
    rows += results.length;
    onPage?.(rows);
    if (results.length < TRAIN_PAGE_ROWS) break;
    const last = results[results.length - 1]!;
    cursor = [last.session_id, last.ts, last.id];
  }
  if (current) onSession(current.items);
  return { queries, rows };
}

/** Flush rows per page: each holds one session flush's increments (usually a few KB). */
const DELTA_PAGE_FLUSHES = 200;

/** Streams increments of flushes with id above `watermark`, in id order, a page at a time. Returns the highest id. */
export async function forEachDeltaPage(
  d1: D1Database,
  siteId: string,
  watermark: number,
  onPage: (rows: DeltaRow[]) => void,
): Promise<{ maxId: number; rows: number; queries: number }> {
  let maxId = watermark;
  let rows = 0;
  let queries = 0;
  for (;;) {
    const { results } = await d1
      .prepare(`SELECT id, body FROM model_deltas WHERE site_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3`)
      .bind(siteId, maxId, DELTA_PAGE_FLUSHES)
      .all<{ id: number; body: string }>();
    queries++;
    if (results.length === 0) break;
    maxId = results[results.length - 1]!.id;
    const page = results.flatMap((r) => parseDeltaBody(r.body));
    rows += page.length;
    onPage(page);
    if (results.length < DELTA_PAGE_FLUSHES) break;
  }
  return { maxId, rows, queries };
}

/** Deletes consumed deltas in bounded chunks. */
export async function deleteDeltasUpTo(d1: D1Database, siteId: string, maxId: number): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < 100; i++) {
    const res = await d1
      .prepare(`DELETE FROM model_deltas WHERE rowid IN (SELECT id FROM model_deltas WHERE site_id = ?1 AND id <= ?2 LIMIT 5000)`)
      .bind(siteId, maxId)
      .run();
    deleted += res.meta.changes;
    if (res.meta.changes < 5000) break;
  }
  return deleted;
}
