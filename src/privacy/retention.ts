// Daily retention: deletes raw events older than EVENT_RETENTION_DAYS, and dead derived-session rows. Long-term learning lives in aggregates
// (profiles, profile_items, model statistics), so the raw log can stay short.
import { tunables } from "../config/env";
import { pruneDerivedSessions } from "../ingest/segment-sessions";

/** Rows per DELETE: small enough to stay far below D1's 30 s per query, large enough to finish in few queries. */
const DELETE_CHUNK = 5000;
/** A run stops after this many statements (D1 allows 1,000 per invocation); the next day continues. */
const MAX_STATEMENTS = 500;

export async function runRetention(env: Env, now = Date.now()): Promise<{ deleted: number; done: boolean }> {
  const cutoff = now - tunables(env).EVENT_RETENTION_DAYS * 86_400_000;
  const { results: siteRows } = await env.DB.prepare("SELECT id FROM sites").all<{ id: string }>();
  let deleted = 0;
  let statements = 1;
  for (const { id } of siteRows) {
    // One site's failure is logged and the others still get their deletes; the next day retries it.
    try {
      for (;;) {
        if (statements >= MAX_STATEMENTS) {
          console.log(JSON.stringify({ job: "retention", deleted, done: false, reason: "statement budget" }));
          return { deleted, done: false };
        }
        const res = await env.DB.prepare(
          "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE site_id = ?1 AND ts < ?2 LIMIT ?3)",
        )
          .bind(id, cutoff, DELETE_CHUNK)
          .run();
        statements++;
        deleted += res.meta.changes;
        if (res.meta.changes < DELETE_CHUNK) break;
      }
      console.log(JSON.stringify({ job: "retention", siteId: id, deletedSoFar: deleted, cutoff }));
    } catch (err) {
      statements++;
      console.error(JSON.stringify({ job: "retention", siteId: id, error: err instanceof Error ? err.message : String(err) }));
    }
  }
  // Derived sessions (Segment traffic) idle past the session gap can never be continued: their rows are dead.
  try {
    await pruneDerivedSessions(env.DB, now - tunables(env).SESSION_IDLE_MINUTES * 60_000);
  } catch (err) {
    console.error(JSON.stringify({ job: "retention", table: "derived_sessions", error: err instanceof Error ? err.message : String(err) }));
  }
  return { deleted, done: true };
}
