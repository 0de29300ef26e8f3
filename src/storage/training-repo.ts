// Reads for training: sessions from the raw log (D1 in keyset pages, or the R2 archive plus D1's unarchived rows for
// scratch retrains), statistic deltas above a watermark, trending.
import { tunables } from "../config/env";
import { PATH_TYPES, PATH_TYPES_SQL } from "../schemas/event-types";
import type { DeltaRow } from "../models/stats-delta";
import type { CountConfig } from "../recommend/session-stats";
import { parseDeltaBody } from "../models/flush-body";
import { forEachArchivedEvent } from "./event-archive";

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

/** Flush rows per page: each holds one session flush's steps (at most MAX_SESSION_PATH ids and steps, a few KB). */
const DELTA_PAGE_FLUSHES = 200;

/**
 * Streams the increments of flushes with id above `watermark` (their steps counted with `config`), in id order, a
 * page at a time. Returns the highest id.
 */
export async function forEachDeltaPage(
  d1: D1Database,
  siteId: string,
  watermark: number,
  config: CountConfig,
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
    const page = results.flatMap((r) => parseDeltaBody(r.body, config));
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

/** SQLite's BINARY order on text is UTF-8 byte order, which is code point order; JS `<` compares UTF-16 units. */
function codePointCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The start of D1's raw window as scratch retrains read it: an hour boundary at or after now - D1_RAW_WINDOW_DAYS. */
export function rawWindowStart(env: Env, now = Date.now()): number {
  const start = now - tunables(env).D1_RAW_WINDOW_DAYS * 86_400_000;
  return Math.ceil(start / 3_600_000) * 3_600_000;
}

/**
 * Scratch retrains: every session's path before `beforeTs`, in the same order and with the same content as
 * forEachSession on a D1 holding every event. Hours before `d1Since` (default: D1's raw window, rawWindowStart)
 * come from the R2 archive (issue 11 part 2), later ones from D1, which has them as soon as the consumer committed
 * (the archive a moment later); rows stored before the archive existed (archive_key null) always come from D1. The
 * retention cron deletes archived rows only before the window, so nothing is read twice or missed. The archive is
 * partitioned by hour, not by session, so sessions are assembled in memory before they are handed on: memory grows
 * with the site's path events until training streams (issue 11 part 3).
 */
export async function forEachTrainingSession(
  env: Env,
  siteId: string,
  beforeTs: number,
  onSession: (items: string[]) => void,
  onPage?: (rowsSoFar: number) => void,
  options: { d1Since?: number } = {},
): Promise<{ queries: number; rows: number; objects: number }> {
  const d1Since = options.d1Since ?? rawWindowStart(env);
  const sessions = new Map<string, { ts: number; id: string; item: string }[]>();
  const add = (session: string, ts: number, id: string, item: string) => {
    let steps = sessions.get(session);
    if (!steps) sessions.set(session, (steps = []));
    steps.push({ ts, id, item });
  };
  const archiveBefore = Math.min(beforeTs, d1Since);
  const archived = await forEachArchivedEvent(env.ARCHIVE, siteId, archiveBefore, (e) => {
    if (e.itemId !== undefined && PATH_TYPES.has(e.type)) add(e.sessionId, e.ts, e.id, e.itemId);
  });
  let rows = archived.events;
  let queries = 0;
  let cursor: [string, number, string] = ["", -1, ""];
  for (;;) {
    const { results } = await env.DB.prepare(
      `SELECT session_id, item_id, ts, id FROM events
       WHERE site_id = ?1 AND ts < ?2 AND item_id IS NOT NULL AND type IN (${PATH_TYPES_SQL}) AND (archive_key IS NULL OR ts >= ?7)
         AND (session_id, ts, id) > (?3, ?4, ?5)
       ORDER BY session_id, ts, id LIMIT ?6`,
    )
      .bind(siteId, beforeTs, cursor[0], cursor[1], cursor[2], TRAIN_PAGE_ROWS, Number.isFinite(d1Since) ? d1Since : Number.MAX_SAFE_INTEGER)
      .all<{ session_id: string; item_id: string; ts: number; id: string }>();
    queries++;
    for (const r of results) add(r.session_id, r.ts, r.id, r.item_id);
    rows += results.length;
    onPage?.(rows);
    if (results.length < TRAIN_PAGE_ROWS) break;
    const last = results[results.length - 1]!;
    cursor = [last.session_id, last.ts, last.id];
  }
  for (const session of [...sessions.keys()].sort(codePointCompare)) {
    const steps = sessions.get(session)!;
    steps.sort((a, b) => a.ts - b.ts || codePointCompare(a.id, b.id));
    onSession(steps.map((s) => s.item));
  }
  return { queries, rows, objects: archived.objects };
}
