// SessionDO's SQLite layout. Bump SCHEMA_VERSION with any change; objects are short-lived, so an old layout is
// dropped and recreated, except v5, whose live sessions SessionDO moves to v6 (a deploy keeps their paths).

export const SCHEMA_VERSION = 6;

export const SESSION_DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // One row per append (v6): the event ids it added, as a JSON array, and its path steps as [itemId, type, ts]
  // triples; the object keeps both in memory and checks duplicates there. v5 kept a row per id and per step, each
  // with an index entry: a 100-event batch was about 200 row inserts, the largest share of an append's CPU.
  `CREATE TABLE IF NOT EXISTS seen_ids (seq INTEGER PRIMARY KEY, ids TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS path_steps (seq INTEGER PRIMARY KEY, steps TEXT NOT NULL)`,
  // The flush being sent to D1 (SessionDO.flush; storage/schema.ts model_deltas): at most one at a time, its body
  // as one JSON value (models/flush-body.ts: the uncounted steps and the path before them; before flush bodies v2,
  // counted increments, which a live object may still hold and sends as they are). `n`: steps (or increments).
  `CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, rows TEXT NOT NULL)`,
];

export const SESSION_TABLES = ["meta", "seen_ids", "path_steps", "seen", "path", "pending", "outbox"]; // "pending": dropped in v4; "seen", "path": v5
