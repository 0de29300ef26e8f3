// D1 side of erasure (privacy/erasure.ts): resolve a subject to its profile and linked ids, create and advance
// erasure jobs, delete the subject's rows table by table (events in bounded chunks), and suppression entries.
import { SUPPRESSION_CACHE_MAX_ENTRIES, SUPPRESSION_CACHE_MS } from "../config/limits";
import { sha256Hex } from "../lib/crypto";
import { IsolateCache } from "../lib/isolate-cache";

export type IdKind = "anon" | "user";

/**
 * The hash kept for an erased id, in `suppressions` and as the erasure job's subject. Site and kind are part of the
 * hashed text (NUL-separated, a character no id may contain), so equal ids on two sites, or an anonymous id equal to
 * a user id, never share an entry. Unsalted beyond that on purpose: ingest must find the entry from the id alone.
 */
export function suppressionHash(siteId: string, kind: IdKind, id: string): Promise<string> {
  return sha256Hex(`${siteId}\u0000${kind}\u0000${id}`);
}

/** Lists which of the given suppression hashes are recorded (run in the ingest read batch). */
/** Suppression look-ups by hash: an erased id stays erased (cached an hour), a clean one is re-read after a while. */
const suppressionCache = new IsolateCache<string, boolean>({ maxEntries: SUPPRESSION_CACHE_MAX_ENTRIES });

/** The request path's suppression check (events-repo loadAdmission): cached, D1 only for hashes not cached. */
export async function cachedSuppressions(d1: D1Database, siteId: string, hashes: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const missing: string[] = [];
  for (const h of hashes) {
    const hit = suppressionCache.get(`${siteId}\u0000${h}`);
    if (hit === undefined) missing.push(h);
    else if (hit) out.add(h);
  }
  if (missing.length === 0) return out;
  const { results } = await suppressedStatement(d1, siteId, missing).all<{ id_hash: string }>();
  const found = new Set(results.map((r) => r.id_hash));
  for (const h of missing) {
    suppressionCache.set(`${siteId}\u0000${h}`, found.has(h), found.has(h) ? 3_600_000 : SUPPRESSION_CACHE_MS);
    if (found.has(h)) out.add(h);
  }
  return out;
}

export function suppressedStatement(d1: D1Database, siteId: string, hashes: readonly string[]): D1PreparedStatement {
  return d1
    .prepare(`SELECT id_hash FROM suppressions WHERE site_id = ?1 AND id_hash IN (SELECT value FROM json_each(?2))`)
    .bind(siteId, JSON.stringify(hashes));
}

/** The ids an erasure covers: a profile (if any) with every id linked to it. */
export type ErasureSubject = { profileId: string | null; anonymousIds: string[]; userId: string | null };

/**
 * Resolves `id` to its profile and linked ids. `kind` "any" (trusted callers) tries a user id first, then an
 * anonymous id, as GET /v1/users/:id does; "anon" (self-service) only an anonymous id. Null when nothing at all is
 * stored under the id (no identity, no consent choice).
 */
export async function resolveSubject(d1: D1Database, siteId: string, kind: "any" | IdKind, id: string): Promise<(ErasureSubject & { kind: IdKind }) | null> {
  const rows = await d1
    .prepare(`SELECT kind, profile_id FROM identities WHERE site_id = ?1 AND external_id = ?2 AND (?3 = 'any' OR kind = ?3)`)
    .bind(siteId, id, kind)
    .all<{ kind: IdKind; profile_id: string }>();
  const hit = rows.results.find((r) => r.kind === "user") ?? rows.results[0];
  if (!hit) {
    if (kind === "user") return null;
    const consent = await d1.prepare(`SELECT 1 AS x FROM consents WHERE site_id = ?1 AND anonymous_id = ?2`).bind(siteId, id).first();
    // A visitor who answered the banner but never sent an event (or one who declined analytics) has only a choice.
    return consent || kind === "anon" ? { kind: "anon", profileId: null, anonymousIds: [id], userId: null } : null;
  }
  const [links, profile] = await d1.batch([
    d1.prepare(`SELECT kind, external_id FROM identities WHERE site_id = ?1 AND profile_id = ?2`).bind(siteId, hit.profile_id),
    d1.prepare(`SELECT user_id FROM profiles WHERE site_id = ?1 AND id = ?2`).bind(siteId, hit.profile_id),
  ]);
  const linked = links!.results as { kind: IdKind; external_id: string }[];
  const anonymousIds = [...new Set([...linked.filter((l) => l.kind === "anon").map((l) => l.external_id), ...(hit.kind === "anon" ? [id] : [])])].sort();
  const userId =
    linked.find((l) => l.kind === "user")?.external_id ?? (profile!.results[0] as { user_id: string | null } | undefined)?.user_id ?? null;
  return { kind: hit.kind, profileId: hit.profile_id, anonymousIds, userId };
}

// Events of the subject that are not on its profile (written before a merge re-pointed them, or by another
// profile naming one of its ids). anonymous_id and user_id have no index: this scans the site's events, which is why
// the erasure runs it after the indexed profile pass has removed the bulk, in the same bounded chunks.
const BY_IDS = `site_id = ?1 AND (anonymous_id IN (SELECT value FROM json_each(?2)) OR (?3 IS NOT NULL AND user_id = ?3))`;

/** The subject's session ids (to erase the live session objects and their pending model increments). */
export async function sessionIdsOf(d1: D1Database, siteId: string, s: ErasureSubject): Promise<string[]> {
  const { results } = await d1
    .prepare(`SELECT session_id FROM events WHERE site_id = ?1 AND profile_id = ?4 UNION SELECT session_id FROM events WHERE ${BY_IDS}`)
    .bind(siteId, JSON.stringify(s.anonymousIds), s.userId, s.profileId)
    .all<{ session_id: string }>();
  return results.map((r) => r.session_id);
}

/** Deletes at most `rows` events of the subject; `by` picks the indexed profile pass or the id pass. */
export async function deleteEventsChunk(d1: D1Database, siteId: string, s: ErasureSubject, by: "profile" | "ids", rows: number): Promise<number> {
  const res =
    by === "profile"
      ? await d1
          .prepare(`DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE site_id = ?1 AND profile_id = ?2 LIMIT ?3)`)
          .bind(siteId, s.profileId, rows)
          .run()
      : await d1
          .prepare(`DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE ${BY_IDS} LIMIT ?4)`)
          .bind(siteId, JSON.stringify(s.anonymousIds), s.userId, rows)
          .run();
  return res.meta.changes;
}

export type RowCounts = { profiles: number; profileItems: number; identities: number; consents: number; consentHistory: number };

/**
 * Deletes the subject's profile, item history, identities, consent choices and their history, and their derived
 * session rows, in one transaction.
 */
export async function deleteProfileRows(d1: D1Database, siteId: string, s: ErasureSubject): Promise<RowCounts> {
  const anon = JSON.stringify(s.anonymousIds);
  const res = await d1.batch([
    d1.prepare(`DELETE FROM profiles WHERE site_id = ?1 AND id = ?2`).bind(siteId, s.profileId),
    d1.prepare(`DELETE FROM profile_items WHERE site_id = ?1 AND profile_id = ?2`).bind(siteId, s.profileId),
    d1
      .prepare(
        `DELETE FROM identities WHERE site_id = ?1 AND (profile_id IS ?2 OR (kind = 'anon' AND external_id IN (SELECT value FROM json_each(?3)))
           OR (kind = 'user' AND ?4 IS NOT NULL AND external_id = ?4))`,
      )
      .bind(siteId, s.profileId, anon, s.userId),
    d1.prepare(`DELETE FROM consents WHERE site_id = ?1 AND anonymous_id IN (SELECT value FROM json_each(?2))`).bind(siteId, anon),
    d1.prepare(`DELETE FROM consent_history WHERE site_id = ?1 AND anonymous_id IN (SELECT value FROM json_each(?2))`).bind(siteId, anon),
    // The visitor's server-derived session (Segment traffic): it names the anonymous id.
    d1.prepare(`DELETE FROM derived_sessions WHERE site_id = ?1 AND anonymous_id IN (SELECT value FROM json_each(?2))`).bind(siteId, anon),
  ]);
  const n = (i: number) => res[i]!.meta.changes;
  return { profiles: n(0), profileItems: n(1), identities: n(2), consents: n(3), consentHistory: n(4) };
}

/** Deletes model-statistic increments flushed by these session objects (flush ids start with the object's id + ":"). */
export async function deleteSessionDeltas(d1: D1Database, siteId: string, flushPrefixes: readonly string[]): Promise<number> {
  if (flushPrefixes.length === 0) return 0;
  // substr rather than LIKE: a prefix is matched literally, whatever characters it holds.
  const res = await d1
    .prepare(
      `DELETE FROM model_deltas WHERE site_id = ?1 AND EXISTS
         (SELECT 1 FROM json_each(?2) p WHERE substr(model_deltas.flush_id, 1, length(p.value)) = p.value)`,
    )
    .bind(siteId, JSON.stringify(flushPrefixes))
    .run();
  return res.meta.changes;
}

/** What an erasure removed (the receipt), per store. */
/** `archivedEvents`: events removed from the R2 raw archive (issue 11 part 2). */
export type ErasedCounts = RowCounts & { events: number; sessions: number; cachedLists: number; modelDeltas: number; archivedEvents: number };

export const ZERO_COUNTS: ErasedCounts = {
  events: 0,
  profiles: 0,
  profileItems: 0,
  identities: 0,
  consents: 0,
  consentHistory: 0,
  sessions: 0,
  cachedLists: 0,
  modelDeltas: 0,
  archivedEvents: 0,
};

/** What is left to do, kept in `erasures.state` so any later request or cron run can continue the job. */
export type ErasureState = ErasureSubject & {
  /** Profile, item history, identities, consents and cached lists not deleted yet (the first step does it). */
  profileRowsPending: boolean;
  /** Session ids whose objects (and pending increments) are not erased yet. */
  sessionIds: string[];
  /** The events pass still running: by profile (indexed), then by the linked ids, then none. */
  eventsPass: "profile" | "ids" | null;
  /**
   * The R2 archive pass, after the events: the last archive key read ("" = not started), null when finished. Absent
   * in jobs created before the archive existed (nothing to erase there).
   */
  archiveAfter?: string | null;
  /** Suppression entries written when the job was created. */
  suppressed: number;
  /** True for a job a visitor started with the public key: the public key may read its status. */
  selfService: boolean;
};

export type ErasureJob = {
  id: string;
  siteId: string;
  status: "running" | "done";
  state: ErasureState;
  receipt: ErasedCounts;
  createdAt: number;
  updatedAt: number;
};

type JobRow = { id: string; site_id: string; status: "running" | "done"; state: string; receipt: string; created_at: number; updated_at: number };

function toJob(r: JobRow): ErasureJob {
  return {
    id: r.id,
    siteId: r.site_id,
    status: r.status,
    // Written only by this module, from these types.
    state: JSON.parse(r.state) as ErasureState,
    receipt: { ...ZERO_COUNTS, ...(JSON.parse(r.receipt) as Partial<ErasedCounts>) },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function jobForSubject(d1: D1Database, siteId: string, subjectHashes: readonly string[]): Promise<ErasureJob | null> {
  const r = await d1
    .prepare(`SELECT * FROM erasures WHERE site_id = ?1 AND subject_hash IN (SELECT value FROM json_each(?2)) ORDER BY created_at LIMIT 1`)
    .bind(siteId, JSON.stringify(subjectHashes))
    .first<JobRow>();
  return r ? toJob(r) : null;
}

export async function jobById(d1: D1Database, jobId: string): Promise<ErasureJob | null> {
  const r = await d1.prepare(`SELECT * FROM erasures WHERE id = ?1`).bind(jobId).first<JobRow>();
  return r ? toJob(r) : null;
}

/** True when any of the hashes is suppressed already (an id erased under another subject). */
export async function anySuppressed(d1: D1Database, siteId: string, hashes: readonly string[]): Promise<boolean> {
  return (await suppressedStatement(d1, siteId, hashes).first()) !== null;
}

/**
 * Creates the job and the suppression entries in one transaction, so ingest drops the subject's events from the
 * moment the job exists. A concurrent request for the same subject inserts nothing (unique subject hash) and the
 * caller reads the winner's job.
 */
export async function createJob(
  d1: D1Database,
  job: ErasureJob,
  subjectHash: string,
  suppress: readonly { kind: IdKind; hash: string }[],
): Promise<void> {
  await d1.batch([
    d1
      .prepare(
        `INSERT INTO erasures (id, site_id, subject_hash, status, state, receipt, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT(site_id, subject_hash) DO NOTHING`,
      )
      .bind(job.id, job.siteId, subjectHash, job.status, JSON.stringify(job.state), JSON.stringify(job.receipt), job.createdAt),
    d1
      .prepare(
        `INSERT INTO suppressions (site_id, kind, id_hash, created_at)
         SELECT ?1, json_extract(value, '$.kind'), json_extract(value, '$.hash'), ?2 FROM json_each(?3) WHERE true
         ON CONFLICT DO NOTHING`,
      )
      .bind(job.siteId, job.createdAt, JSON.stringify(suppress)),
  ]);
  // This isolate's request path sees the erasure at once (others within SUPPRESSION_CACHE_MS).
  for (const { hash } of suppress) suppressionCache.set(`${job.siteId}\u0000${hash}`, true, 3_600_000);
}

/**
 * Saves a step's progress: the new state and status, and the step's counts added to the receipt in SQL, so two
 * runners of one job (a request's waitUntil and the cron) never lose each other's counts.
 */
export async function saveStep(d1: D1Database, jobId: string, status: "running" | "done", state: ErasureState, added: ErasedCounts, now: number): Promise<void> {
  const sets = Object.keys(ZERO_COUNTS).map((k) => `'$.${k}', COALESCE(json_extract(receipt, '$.${k}'), 0) + json_extract(?4, '$.${k}')`);
  await d1
    .prepare(
      `UPDATE erasures SET status = CASE WHEN status = 'done' THEN 'done' ELSE ?2 END, state = ?3,
         receipt = json_set(receipt, ${sets.join(", ")}), updated_at = ?5 WHERE id = ?1`,
    )
    .bind(jobId, status, JSON.stringify(state), JSON.stringify(added), now)
    .run();
}

/** Running jobs, least recently advanced first (the cron resumes them). */
export async function runningJobIds(d1: D1Database, limit: number): Promise<string[]> {
  const { results } = await d1
    .prepare(`SELECT id FROM erasures WHERE status = 'running' ORDER BY updated_at LIMIT ?1`)
    .bind(limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Marks a job as just attempted (a failed step), so the cron tries the other running jobs first next time. */
export async function touchJob(d1: D1Database, jobId: string, now: number): Promise<void> {
  await d1.prepare(`UPDATE erasures SET updated_at = ?2 WHERE id = ?1`).bind(jobId, now).run();
}
