// Writes a SessionDO's statistic increments to D1 as one row per flush (JSON body); a retried flush id inserts
// nothing. Bodies are split under D1's row size so a very long session still fits.
import type { DeltaRow } from "../models/stats-delta";

/** D1 rows hold at most 2 MB; stay well under it. */
const MAX_BODY_CHARS = 900_000;

const INSERT_FLUSH = `INSERT INTO model_deltas (site_id, flush_id, body, rows) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (site_id, flush_id) DO NOTHING`;

export async function flushDeltas(d1: D1Database, siteId: string, flushId: string, rows: readonly DeltaRow[]): Promise<void> {
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

/** Parses a flush body back into rows. */
export function parseDeltaBody(body: string): DeltaRow[] {
  return (JSON.parse(body) as [DeltaRow["kind"], string, string, number, number][]).map(([kind, a, b, bucket, w]) => ({ kind, a, b, bucket, w }));
}
