// Writes a SessionDO's flushes to D1 (model_deltas: one row per flush, JSON body; a retried flush id inserts
// nothing). The body's format and its reading back as increments: models/flush-body.ts.
import type { DeltaRow } from "../models/stats-delta";
import { isRowsBody } from "../models/flush-body";

/** D1 rows hold at most 2 MB; stay well under it (a v2 body is at most MAX_SESSION_PATH ids and steps). */
const MAX_BODY_CHARS = 900_000;

const INSERT_FLUSH = `INSERT INTO model_deltas (site_id, flush_id, body, rows) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (site_id, flush_id) DO NOTHING`;

/**
 * Sends one flush: a v2 body (models/flush-body.ts; `rows` holds its step count, `n`) or, from an outbox written before
 * v2, the JSON array of counted rows it held (split under D1's row size as before, `rows` then counts rows).
 */
export async function flushDeltas(d1: D1Database, siteId: string, flushId: string, body: string, n: number): Promise<void> {
  if (!isRowsBody(body)) {
    await d1.prepare(INSERT_FLUSH).bind(siteId, flushId, body, n).run();
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
