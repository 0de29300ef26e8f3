// Hourly traffic rollups (traffic_rollups): the ingest statement that bumps them from the rows one transaction really
// inserted, and the reads of the dashboard's overview (one query each, never the event log). Plain D1 statements,
// like rollups-repo.ts.

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * ?1 the ingest id. Per (site, hour of `ts`) of the rows tagged with ?1:
 * - events: how many were inserted;
 * - sessions: the batch's sessions with no event from another transaction in that hour (so each (session, hour)
 *   counts once however many batches carry it);
 * - sessions_started: sessions with no event from another transaction at all, counted at the earliest hour this
 *   batch has of them.
 * Only rows tagged with ?1 are read, so a retried batch (whose rows ON CONFLICT skipped) adds nothing. The NOT EXISTS
 * probes use events_site_session_ts.
 */
const AGGREGATE_TRAFFIC = `
WITH b AS (
  SELECT site_id, session_id, ts / ${HOUR_MS} * ${HOUR_MS} AS hour FROM events WHERE ingest_id = ?1
), per_hour AS (
  SELECT site_id, session_id, hour, COUNT(*) AS n,
    NOT EXISTS (SELECT 1 FROM events o WHERE o.site_id = b.site_id AND o.session_id = b.session_id
                AND o.ts >= b.hour AND o.ts < b.hour + ${HOUR_MS} AND o.ingest_id IS NOT ?1) AS new_in_hour
  FROM b GROUP BY site_id, session_id, hour
), started AS (
  SELECT site_id, session_id, MIN(hour) AS hour FROM b GROUP BY site_id, session_id
  HAVING NOT EXISTS (SELECT 1 FROM events o WHERE o.site_id = b.site_id AND o.session_id = b.session_id AND o.ingest_id IS NOT ?1)
)
INSERT INTO traffic_rollups (site_id, hour, events, sessions, sessions_started)
SELECT h.site_id, h.hour, SUM(h.n), SUM(h.new_in_hour), COUNT(s.session_id)
FROM per_hour h LEFT JOIN started s ON s.site_id = h.site_id AND s.session_id = h.session_id AND s.hour = h.hour
WHERE true
GROUP BY h.site_id, h.hour
ON CONFLICT(site_id, hour) DO UPDATE SET
  events = traffic_rollups.events + excluded.events,
  sessions = traffic_rollups.sessions + excluded.sessions,
  sessions_started = traffic_rollups.sessions_started + excluded.sessions_started`;

/**
 * The traffic-rollup statements of one ingest transaction: they go in its db.batch after the events insert and
 * before the ingest id is cleared (storage/events-repo.ts writeIngestBatch).
 */
export function trafficRollupStatements(d1: D1Database, ingestId: string): D1PreparedStatement[] {
  return [d1.prepare(AGGREGATE_TRAFFIC).bind(ingestId)];
}

export type TrafficHour = { hour: number; events: number; sessions: number; sessionsStarted: number };
export type TrafficDay = { day: string; events: number; sessionsStarted: number };

/** One site's hourly rows with `from <= hour < to` (ms), oldest first; hours without traffic are absent. */
export async function readTrafficHours(d1: D1Database, siteId: string, from: number, to: number): Promise<TrafficHour[]> {
  const { results } = await d1
    .prepare(`SELECT hour, events, sessions, sessions_started FROM traffic_rollups WHERE site_id = ?1 AND hour >= ?2 AND hour < ?3 ORDER BY hour`)
    .bind(siteId, from, to)
    .all<{ hour: number; events: number; sessions: number; sessions_started: number }>();
  return results.map((r) => ({ hour: r.hour, events: r.events, sessions: r.sessions, sessionsStarted: r.sessions_started }));
}

/** One site's UTC days from..to (YYYY-MM-DD, inclusive): events and sessions started, summed from the hours. */
export async function readTrafficDays(d1: D1Database, siteId: string, from: string, to: string): Promise<TrafficDay[]> {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  const { results } = await d1
    .prepare(
      `SELECT hour / ${DAY_MS} AS d, SUM(events) AS events, SUM(sessions_started) AS started FROM traffic_rollups
       WHERE site_id = ?1 AND hour >= ?2 AND hour < ?3 GROUP BY d ORDER BY d`,
    )
    .bind(siteId, start, end)
    .all<{ d: number; events: number; started: number }>();
  return results.map((r) => ({ day: new Date(r.d * DAY_MS).toISOString().slice(0, 10), events: r.events, sessionsStarted: r.started }));
}
