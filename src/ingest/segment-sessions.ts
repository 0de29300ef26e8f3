// Server-derived sessions for Segment/RudderStack traffic, which carries no session id: a visitor's events belong to
// one session until SESSION_IDLE_MINUTES pass without one, then a new session starts.
//
// Why a D1 table (derived_sessions: site, anonymous id → session id, last seen) and not KV or a Durable Object:
// - KV is eventually consistent and allows one write per key per second: two batches of one visitor a second apart
//   would each start a session, and a KV write per batch is what DESIGN.md forbids.
// - A Durable Object per visitor would be correct but costs one more RPC per visitor per batch (a server batch can
//   relay 100 visitors), on top of the session objects' own RPCs.
// - D1 is already on the ingest path and is one serialized writer: one round trip (a batch of two statements) decides
//   every visitor of the batch atomically, so concurrent batches of one visitor agree on the session.
// The rows are written just before the batch's events (the events need the answer): if that write fails, only the
// session row moved, and the client's retry continues the same session.
import type { IngestEvent } from "../schemas/events";

/**
 * Upserts each visitor's first event time of the batch: a row idle past the gap gets the candidate id, a live row
 * keeps its session. RETURNING gives the session each visitor's first run belongs to.
 */
const CONTINUE_OR_START = `
INSERT INTO derived_sessions (site_id, anonymous_id, session_id, last_seen)
SELECT ?1, json_extract(value, '$.a'), json_extract(value, '$.s'), json_extract(value, '$.t') FROM json_each(?2) WHERE true
ON CONFLICT(site_id, anonymous_id) DO UPDATE SET
  session_id = CASE WHEN excluded.last_seen > derived_sessions.last_seen + ?3 THEN excluded.session_id ELSE derived_sessions.session_id END,
  last_seen = MAX(derived_sessions.last_seen, excluded.last_seen)
RETURNING anonymous_id, session_id`;

/** Then moves each visitor to the end of the batch: its last event time, and the last run's id if the batch spans a gap. */
const ADVANCE = `
UPDATE derived_sessions SET
  session_id = CASE WHEN v.s IS NOT NULL AND v.t >= derived_sessions.last_seen THEN v.s ELSE derived_sessions.session_id END,
  last_seen = MAX(derived_sessions.last_seen, v.t)
FROM (SELECT json_extract(value, '$.a') AS a, json_extract(value, '$.t') AS t, json_extract(value, '$.s') AS s FROM json_each(?2)) AS v
WHERE derived_sessions.site_id = ?1 AND derived_sessions.anonymous_id = v.a`;

type Run = { start: number; end: number; id: string; events: number[] };

/**
 * Gives the events whose index is in `derive` their visitor's session id; the rest keep theirs. Events of one
 * visitor are split into runs wherever the batch itself has an idle gap. `newId` makes candidate ids (tests pass
 * their own).
 */
export async function deriveSessions(
  d1: D1Database,
  siteId: string,
  events: readonly IngestEvent[],
  derive: (e: IngestEvent) => boolean,
  idleMs: number,
  newId: () => string = () => `d-${crypto.randomUUID()}`,
): Promise<IngestEvent[]> {
  const byVisitor = new Map<string, number[]>();
  events.forEach((e, i) => {
    if (!derive(e)) return;
    let list = byVisitor.get(e.anonymousId);
    if (!list) byVisitor.set(e.anonymousId, (list = []));
    list.push(i);
  });
  if (byVisitor.size === 0) return [...events];
  const runsOf = new Map<string, Run[]>();
  for (const [anon, indexes] of byVisitor) {
    indexes.sort((a, b) => events[a]!.ts - events[b]!.ts || a - b);
    const runs: Run[] = [];
    for (const i of indexes) {
      const ts = events[i]!.ts;
      const last = runs.at(-1);
      if (last && ts - last.end <= idleMs) {
        last.end = ts;
        last.events.push(i);
      } else {
        runs.push({ start: ts, end: ts, id: newId(), events: [i] });
      }
    }
    runsOf.set(anon, runs);
  }
  const first = [...runsOf].map(([a, runs]) => ({ a, s: runs[0]!.id, t: runs[0]!.start }));
  const advance = [...runsOf]
    .filter(([, runs]) => runs.length > 1 || runs[0]!.end > runs[0]!.start)
    .map(([a, runs]) => ({ a, t: runs.at(-1)!.end, s: runs.length > 1 ? runs.at(-1)!.id : null }));
  const statements = [d1.prepare(CONTINUE_OR_START).bind(siteId, JSON.stringify(first), idleMs)];
  if (advance.length > 0) statements.push(d1.prepare(ADVANCE).bind(siteId, JSON.stringify(advance)));
  const [decided] = await d1.batch(statements);
  const firstRunSession = new Map((decided!.results as { anonymous_id: string; session_id: string }[]).map((r) => [r.anonymous_id, r.session_id]));

  const sessionOf = new Map<number, string>();
  for (const [anon, runs] of runsOf) {
    runs.forEach((run, r) => {
      const id = r === 0 ? (firstRunSession.get(anon) ?? run.id) : run.id;
      for (const i of run.events) sessionOf.set(i, id);
    });
  }
  return events.map((e, i) => {
    const sessionId = sessionOf.get(i);
    return sessionId === undefined || sessionId === e.sessionId ? e : { ...e, sessionId };
  });
}

/** Deletes derived-session rows last active before `cutoff` (dead: the next event starts a new session anyway). */
export async function pruneDerivedSessions(d1: D1Database, cutoff: number): Promise<number> {
  const res = await d1.prepare(`DELETE FROM derived_sessions WHERE last_seen < ?1`).bind(cutoff).run();
  return res.meta.changes;
}
