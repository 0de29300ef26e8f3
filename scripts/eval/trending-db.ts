// The evaluation's trending: its training events go into an in-memory node:sqlite database built from the Worker's
// own migrations (the same `events` table), and TRENDING_SQL runs over it with the Worker's parameters and row
// reading. One formula: the decay, the per-visitor cap and the burst damping are the Worker's query itself.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { EventType } from "../../src/schemas/event-types";
import { trendingFromRows, TRENDING_SQL, trendingParams, type TrendingQueryOptions, type TrendingRow } from "../../src/storage/trending-sql";

/** The site id the evaluation's events are stored under. */
const EVAL_SITE = "eval";

/** One training event, as the Worker stores it (the evaluation has no separate arrival clock: received = ts). */
export type EvalEvent = { profileId: string; itemId: string; ts: number; type: EventType };

const MIGRATIONS = path.resolve(import.meta.dirname, "../../migrations");

function migratedDb(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith(".sql")).sort()) {
    db.exec(readFileSync(path.join(MIGRATIONS, file), "utf8").split("--> statement-breakpoint").join("\n"));
  }
  return db;
}

/** Trending over `events` at `now` (ms), ranked by TRENDING_SQL in a fresh in-memory database. */
export function trendingOfEvents(events: Iterable<EvalEvent>, now: number, opts: TrendingQueryOptions): { itemId: string; score: number }[] {
  const db = migratedDb();
  try {
    const insert = db.prepare(
      `INSERT INTO events (site_id, id, type, anonymous_id, session_id, item_id, profile_id, ts, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.exec("BEGIN");
    let n = 0;
    for (const e of events) {
      insert.run(EVAL_SITE, `e${n++}`, e.type, e.profileId, e.profileId, e.itemId, e.profileId, e.ts, e.ts);
    }
    db.exec("COMMIT");
    const rows = db.prepare(TRENDING_SQL).all(...trendingParams(EVAL_SITE, now, opts));
    return trendingFromRows(rows.map(toRow));
  } finally {
    db.close();
  }
}

function toRow(r: Record<string, unknown>): TrendingRow {
  const { item_id: itemId, score } = r;
  if (typeof itemId !== "string" || typeof score !== "number") throw new TypeError("unexpected trending row");
  return { item_id: itemId, score };
}
