// Writes a SessionDO's flushes to D1 (model_deltas: one row per flush, JSON body; a retried flush id inserts
// nothing) and reads them back as statistic increments for the retrain.
//
// A flush body (v2) is the live steps themselves with the path before them, and the retrain counts them
// (liveStepRows, exactly as the trainer counts a session): the object used to count at flush time and send the
// increments, a dozen rows per step (after, with, item counters), which made the flush's counting, JSON and D1
// write about a quarter of a 100-event ingest's thread time. v1 bodies (arrays of counted rows) still parse, and an
// outbox holding one is still sent as it is.
import { liveStepRows, type DeltaRow } from "../models/stats-delta";
import type { CountConfig } from "../recommend/session-stats";

/** What a v2 flush sends: the steps it counts, oldest first as [itemId, ts], and the path before them (item ids). */
type StepsBody = { v: 2; before: string[]; steps: [string, number][] };

/** D1 rows hold at most 2 MB; stay well under it (a v2 body is at most MAX_SESSION_PATH ids and steps). */
const MAX_BODY_CHARS = 900_000;

const INSERT_FLUSH = `INSERT INTO model_deltas (site_id, flush_id, body, rows) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (site_id, flush_id) DO NOTHING`;

/** A v2 body: `steps` to be counted after `before` (the session path so far). */
export function stepsBody(before: readonly { itemId: string }[], steps: readonly { itemId: string; ts: number }[]): string {
  const body: StepsBody = { v: 2, before: before.map((s) => s.itemId), steps: steps.map((s) => [s.itemId, s.ts]) };
  return JSON.stringify(body);
}

/**
 * Sends one flush: a v2 body (stepsBody; `rows` holds its step count) or, from an outbox written before v2, the
 * JSON array of counted rows it held (split under D1's row size as before, `rows` then counts rows).
 */
export async function flushDeltas(d1: D1Database, siteId: string, flushId: string, body: string, steps: number): Promise<void> {
  if (!body.startsWith("[")) {
    await d1.prepare(INSERT_FLUSH).bind(siteId, flushId, body, steps).run();
    return;
  }
  const rows = JSON.parse(body) as DeltaRow[];
  const parts: string[][] = [[]];
  let size = 0;
  for (const r of rows) {
    const t = JSON.stringify([r.kind, r.a, r.b, r.bucket, r.w]);
    if (size + t.length > MAX_BODY_CHARS && parts.at(-1)!.length > 0) {
      parts.push([]);
      size = 0;
    }
    parts.at(-1)!.push(t);
    size += t.length + 1;
  }
  await d1.batch(parts.map((p, i) => d1.prepare(INSERT_FLUSH).bind(siteId, parts.length === 1 ? flushId : `${flushId}/${i}`, `[${p.join(",")}]`, p.length)));
}

/** A flush body as increments: a v2 body's steps counted with `config`, a v1 body's rows as they were sent. */
export function parseDeltaBody(body: string, config: CountConfig): DeltaRow[] {
  if (body.startsWith("{")) {
    const { before, steps } = JSON.parse(body) as StepsBody;
    return liveStepRows(before.map((itemId) => ({ itemId })), steps.map(([itemId, ts]) => ({ itemId, ts })), config);
  }
  return (JSON.parse(body) as [DeltaRow["kind"], string, string, number, number][]).map(([kind, a, b, bucket, w]) => ({ kind, a, b, bucket, w }));
}
