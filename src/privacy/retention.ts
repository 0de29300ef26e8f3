// Daily retention: D1 keeps a short raw window (D1_RAW_WINDOW_DAYS) of events that are safely in the R2 archive,
// the archive keeps EVENT_RETENTION_DAYS, and dead derived-session rows go. Long-term learning lives in aggregates
// (profiles, profile_items, model statistics), and scratch retrains read the archive.
import { tunables } from "../config/env";
import { pruneDerivedSessions } from "../ingest/segment-sessions";
import { pruneArchive } from "../storage/event-archive";

/** Rows per DELETE: small enough to stay far below D1's 30 s per query, large enough to finish in few queries. */
const DELETE_CHUNK = 5000;
/** A run stops after this many statements (D1 allows 1,000 per invocation); the next day continues. */
const MAX_STATEMENTS = 500;

const DAY_MS = 86_400_000;

export async function runRetention(env: Env, now = Date.now()): Promise<{ deleted: number; archiveObjectsDeleted: number; done: boolean }> {
  const settings = tunables(env);
  const cutoff = now - settings.EVENT_RETENTION_DAYS * DAY_MS;
  // Rows the archive holds (archive_key set) leave D1 after the raw window; rows stored before the archive existed
  // are their only copy and stay for the whole retention.
  const windowCutoff = Math.max(cutoff, now - settings.D1_RAW_WINDOW_DAYS * DAY_MS);
  const { results: siteRows } = await env.DB.prepare("SELECT id FROM sites").all<{ id: string }>();
  let deleted = 0;
  let archiveObjectsDeleted = 0;
  let statements = 1;
  let done = true;
  for (const { id } of siteRows) {
    // One site's failure is logged and the others still get their deletes; the next day retries it.
    try {
      for (;;) {
        if (statements >= MAX_STATEMENTS) {
          console.log(JSON.stringify({ job: "retention", deleted, done: false, reason: "statement budget" }));
          return { deleted, archiveObjectsDeleted, done: false };
        }
        const res = await env.DB.prepare(
          `DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE site_id = ?1 AND ts < ?2 AND (archive_key IS NOT NULL OR ts < ?3) LIMIT ?4)`,
        )
          .bind(id, windowCutoff, cutoff, DELETE_CHUNK)
          .run();
        statements++;
        deleted += res.meta.changes;
        if (res.meta.changes < DELETE_CHUNK) break;
      }
      const pruned = await pruneArchive(env.ARCHIVE, id, cutoff);
      archiveObjectsDeleted += pruned.deleted;
      if (!pruned.done) done = false;
      console.log(JSON.stringify({ job: "retention", siteId: id, deletedSoFar: deleted, archiveObjectsDeleted, windowCutoff, cutoff }));
    } catch (err) {
      statements++;
      console.error(JSON.stringify({ job: "retention", siteId: id, error: err instanceof Error ? err.message : String(err) }));
    }
  }
  // Derived sessions (Segment traffic) idle past the session gap can never be continued: their rows are dead.
  try {
    await pruneDerivedSessions(env.DB, now - settings.SESSION_IDLE_MINUTES * 60_000);
  } catch (err) {
    console.error(JSON.stringify({ job: "retention", table: "derived_sessions", error: err instanceof Error ? err.message : String(err) }));
  }
  return { deleted, archiveObjectsDeleted, done };
}
