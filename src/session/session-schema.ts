// SessionDO's SQLite layout. Bump SCHEMA_VERSION with any change; objects are short-lived, so an old layout is
// simply dropped and recreated rather than migrated.

export const SCHEMA_VERSION = 5;

export const SESSION_DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS seen (event_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS seen_seq ON seen (seq)`,
  `CREATE TABLE IF NOT EXISTS path (seq INTEGER PRIMARY KEY, item_id TEXT NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS path_ts ON path (ts, seq)`,
  // Session-model statistic increments being sent to D1 (SessionDO.flush; storage/schema.ts model_deltas): at most one
  // flush's rows at a time, as one JSON value (v5; v4 kept one SQL row per increment, inserted and read back per
  // flush, the largest share of a 100-event ingest's CPU).
  `CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, rows TEXT NOT NULL)`,
];

export const SESSION_TABLES = ["meta", "seen", "path", "pending", "outbox"]; // "pending": dropped in v4
