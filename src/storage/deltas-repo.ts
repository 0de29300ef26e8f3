// Writes a SessionDO's statistic increments to D1 in one transaction; a retried flush id inserts nothing.
import { D1_JSON_CHUNK_BYTES } from "../config/limits";
import { jsonChunks } from "../lib/json-chunks";
import type { DeltaRow } from "../models/stats-delta";

const INSERT_DELTAS = `
INSERT INTO model_deltas (site_id, flush_id, kind, a, b, bucket, w)
SELECT ?1, ?2, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
       json_extract(value, '$[3]'), json_extract(value, '$[4]')
FROM json_each(?3) WHERE true
ON CONFLICT (site_id, flush_id, kind, a, b, bucket) DO NOTHING`;

export async function flushDeltas(d1: D1Database, siteId: string, flushId: string, rows: readonly DeltaRow[]): Promise<void> {
  const tuples = rows.map((r) => [r.kind, r.a, r.b, r.bucket, r.w]);
  await d1.batch(jsonChunks(tuples, D1_JSON_CHUNK_BYTES).map((chunk) => d1.prepare(INSERT_DELTAS).bind(siteId, flushId, chunk)));
}
