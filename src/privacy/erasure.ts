// Data-subject erasure (GDPR art. 17, CCPA deletion): removes a visitor's profile and everything linked to it from
// D1, the session objects, the KV list cache and the R2 raw event archive, then keeps only hashed suppression entries so later events naming
// the erased ids are dropped at ingest. Large histories are erased in bounded, resumable steps (job in `erasures`).
import {
  ERASURE_BACKGROUND_STEPS,
  ERASURE_CHUNK_ROWS,
  ERASURE_CHUNKS_PER_STEP,
  ERASURE_CRON_STEPS,
  ERASURE_KV_PARALLEL,
  ERASURE_SESSIONS_PER_STEP,
  ERASURE_ARCHIVE_OBJECTS_PER_STEP,
} from "../config/limits";
import { ApiError } from "../lib/errors";
import { recCacheVisitorPrefix } from "../serving/rec-cache";
import { sessionStub } from "../session/session-client";
import { dropCachedConsent } from "../storage/consent-repo";
import { dropIsolateLists } from "../serving/rec-cache";
import { dropVisitorContexts } from "../serving/recommend";
import { eraseFromArchive, type ArchivedEvent } from "../storage/event-archive";
import {
  anySuppressed,
  createJob,
  deleteEventsChunk,
  deleteProfileRows,
  deleteSessionDeltas,
  jobById,
  jobForSubject,
  resolveSubject,
  runningJobIds,
  saveStep,
  sessionIdsOf,
  touchJob,
  suppressionHash,
  ZERO_COUNTS,
  type ErasedCounts,
  type ErasureJob,
  type ErasureState,
  type IdKind,
} from "../storage/erasure-repo";

/** The answer of every erasure route: what was removed so far and whether the job is finished. */
export type ErasureReceipt = {
  status: "done" | "running";
  jobId: string;
  erased: ErasedCounts;
  /** Ids (anonymous and user) now suppressed at ingest. */
  suppressed: number;
  /** Where to follow a running job. */
  statusUrl: string;
};

/** Step sizes; tests pass small ones to drive a multi-step job without writing tens of thousands of events. */
export type ErasureBudget = { chunkRows: number; chunksPerStep: number; sessionsPerStep: number };
export const DEFAULT_BUDGET: ErasureBudget = {
  chunkRows: ERASURE_CHUNK_ROWS,
  chunksPerStep: ERASURE_CHUNKS_PER_STEP,
  sessionsPerStep: ERASURE_SESSIONS_PER_STEP,
};

export function receiptOf(job: ErasureJob): ErasureReceipt {
  return { status: job.status, jobId: job.id, erased: job.receipt, suppressed: job.state.suppressed, statusUrl: `/v1/users/erasures/${job.id}` };
}

function newJobId(): string {
  return `er_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * Starts (or finds) the erasure of `id` and runs its first step. `kind` "any" is the trusted route (user id or
 * anonymous id), "anon" the visitor's self-service forget. A subject erased before answers its stored job (done,
 * nothing new deleted); an id that was suppressed under another subject (another id of the same profile) answers a
 * new, empty, done job; a never-seen id is a 404 for the trusted route and an empty done job for self-service (the
 * visitor's id is suppressed all the same, which is what they asked for).
 */
export async function startErasure(
  env: Env,
  siteId: string,
  kind: "any" | "anon",
  id: string,
  budget: ErasureBudget = DEFAULT_BUDGET,
  now = Date.now(),
): Promise<ErasureJob> {
  const kinds: IdKind[] = kind === "anon" ? ["anon"] : ["user", "anon"];
  const hashes = await Promise.all(kinds.map((k) => suppressionHash(siteId, k, id)));
  const existing = await jobForSubject(env.DB, siteId, hashes);
  if (existing) return existing;

  const subject = await resolveSubject(env.DB, siteId, kind, id);
  if (!subject) {
    if (!(await anySuppressed(env.DB, siteId, hashes))) throw new ApiError(404, "profile_not_found", "no profile or consent stored for this id");
  }
  const resolved = subject ?? { kind: kinds[1] ?? "anon", profileId: null, anonymousIds: [], userId: null };
  const suppress = await Promise.all([
    ...resolved.anonymousIds.map(async (a) => ({ kind: "anon" as const, hash: await suppressionHash(siteId, "anon", a) })),
    ...(resolved.userId !== null ? [suppressionHash(siteId, "user", resolved.userId).then((hash) => ({ kind: "user" as const, hash }))] : []),
  ]);
  const state: ErasureState = {
    profileId: resolved.profileId,
    anonymousIds: resolved.anonymousIds,
    userId: resolved.userId,
    profileRowsPending: true,
    sessionIds: resolved.anonymousIds.length || resolved.profileId ? await sessionIdsOf(env.DB, siteId, resolved) : [],
    eventsPass: resolved.profileId ? "profile" : resolved.anonymousIds.length || resolved.userId ? "ids" : null,
    archiveAfter: resolved.profileId || resolved.anonymousIds.length || resolved.userId ? "" : null,
    suppressed: suppress.length,
    selfService: kind === "anon",
  };
  const job: ErasureJob = { id: newJobId(), siteId, status: "running", state, receipt: { ...ZERO_COUNTS }, createdAt: now, updatedAt: now };
  const subjectHash = await suppressionHash(siteId, resolved.kind, id);
  await createJob(env.DB, job, subjectHash, suppress);
  const created = await jobForSubject(env.DB, siteId, [subjectHash]);
  // Lost a race with a concurrent request for the same subject: that request runs the job.
  if (!created || created.id !== job.id) return created ?? job;
  return advanceErasure(env, job.id, budget, 1);
}

/** Runs up to `steps` steps of a job (sessions, then events in chunks) and answers its state afterwards. */
export async function advanceErasure(env: Env, jobId: string, budget: ErasureBudget = DEFAULT_BUDGET, steps = 1): Promise<ErasureJob> {
  for (let i = 0; i < steps; i++) {
    const job = await jobById(env.DB, jobId);
    if (!job) throw new Error(`erasure job ${jobId} vanished`);
    if (job.status === "done") return job;
    await runStep(env, job, budget);
  }
  const job = await jobById(env.DB, jobId);
  if (!job) throw new Error(`erasure job ${jobId} vanished`);
  return job;
}

/**
 * One bounded step, saved at its end: the profile rows and cached lists (once, first), a batch of session objects,
 * then (none left) up to `chunksPerStep` event chunks. A step cut short is simply run again: every delete is
 * idempotent, and counts come from what each delete really removed.
 */
async function runStep(env: Env, job: ErasureJob, budget: ErasureBudget): Promise<void> {
  const state: ErasureState = { ...job.state };
  let added: ErasedCounts = { ...ZERO_COUNTS };
  if (state.profileRowsPending) {
    // The small, constant-size part goes first, so the profile is unreadable from the first answer on.
    const rows = await deleteProfileRows(env.DB, job.siteId, state);
    for (const a of state.anonymousIds) dropCachedConsent(job.siteId, a);
    // This isolate's copies of visitors' histories and lists go (list keys are hashed: no way to pick the subject's).
    dropVisitorContexts();
    dropIsolateLists();
    added = { ...added, ...rows, cachedLists: await deleteCachedLists(env.REC_CACHE, job.siteId, state) };
    state.profileRowsPending = false;
  }
  if (state.sessionIds.length > 0) {
    const batch = state.sessionIds.slice(0, budget.sessionsPerStep);
    const held = await Promise.all(batch.map((sid) => sessionStub(env, job.siteId, sid).erase()));
    added.sessions = held.filter((h) => h.steps > 0 || h.seenIds > 0 || h.pendingFlush > 0).length;
    // Steps a session already flushed (not yet merged by a retrain) are its path: they go too.
    const prefixes = batch.map((sid) => `${env.SESSIONS.idFromName(JSON.stringify([job.siteId, sid])).toString()}:`);
    added.modelDeltas = await deleteSessionDeltas(env.DB, job.siteId, prefixes);
    state.sessionIds = state.sessionIds.slice(batch.length);
  }
  // Events only once every session object is gone, so no live session outlives its erased history.
  if (state.sessionIds.length === 0) {
    for (let chunk = 0; chunk < budget.chunksPerStep && state.eventsPass !== null; chunk++) {
      const n = await deleteEventsChunk(env.DB, job.siteId, state, state.eventsPass, budget.chunkRows);
      added.events += n;
      if (n < budget.chunkRows) state.eventsPass = state.eventsPass === "profile" ? "ids" : null;
    }
  }
  // The archive last: it is read object by object (the whole site's, as the D1 "ids" pass scans the whole log).
  if (state.sessionIds.length === 0 && state.eventsPass === null && typeof state.archiveAfter === "string") {
    const pass = await eraseFromArchive(env.ARCHIVE, job.siteId, subjectMatcher(state), state.archiveAfter, ERASURE_ARCHIVE_OBJECTS_PER_STEP);
    added.archivedEvents = pass.removed;
    state.archiveAfter = pass.next;
  }
  const done = state.sessionIds.length === 0 && state.eventsPass === null && typeof state.archiveAfter !== "string";
  await saveStep(env.DB, job.id, done ? "done" : "running", state, added, Date.now());
  console.log(JSON.stringify({ job: "erasure", id: job.id, site: job.siteId, done, ...added }));
}

/** Archived events of the subject: on its profile, or naming one of its ids (as the D1 passes delete). */
function subjectMatcher(s: ErasureState): (e: ArchivedEvent) => boolean {
  const anon = new Set(s.anonymousIds);
  return (e) => (s.profileId !== null && e.profileId === s.profileId) || anon.has(e.anonymousId) || (s.userId !== null && e.userId === s.userId);
}

/**
 * Deletes the visitor's cached recommendation lists (every slot and rule digest) under each of their ids. KV lists
 * are eventually consistent across locations: a list cached elsewhere a moment ago and not yet listed expires within
 * REC_CACHE_TTL_S; one written after the erasure is computed without the (deleted) profile and expires the same way.
 */
async function deleteCachedLists(kv: KVNamespace, siteId: string, s: ErasureState): Promise<number> {
  const whos = [...s.anonymousIds.map((a) => `a:${a}`), ...(s.userId !== null ? [`u:${s.userId}`] : [])];
  const counts = await Promise.all(
    whos.map(async (who) => {
      let n = 0;
      let cursor: string | undefined;
      do {
        const page = await kv.list({ prefix: await recCacheVisitorPrefix(siteId, who), cursor });
        for (let i = 0; i < page.keys.length; i += ERASURE_KV_PARALLEL) {
          await Promise.all(page.keys.slice(i, i + ERASURE_KV_PARALLEL).map((k) => kv.delete(k.name)));
        }
        n += page.keys.length;
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * The 10-minute cron: resumes running jobs (a request's waitUntil was cut short, or the history was larger than
 * it could erase), at most ERASURE_CRON_STEPS steps in total per run.
 */
export async function resumeErasures(env: Env, budget: ErasureBudget = DEFAULT_BUDGET): Promise<{ advanced: number; finished: number }> {
  let steps = 0;
  let finished = 0;
  const ids = await runningJobIds(env.DB, ERASURE_CRON_STEPS);
  for (const id of ids) {
    try {
      while (steps < ERASURE_CRON_STEPS) {
        const job = await advanceErasure(env, id, budget, 1);
        steps++;
        if (job.status === "done") {
          finished++;
          break;
        }
      }
    } catch (err) {
      // One failing job must not hold up the others: log it and move it to the back of the queue.
      steps++;
      console.error(JSON.stringify({ level: "error", where: "erasure-resume", jobId: id, message: err instanceof Error ? err.message : String(err) }));
      await touchJob(env.DB, id, Date.now());
    }
  }
  console.log(JSON.stringify({ job: "erasure-resume", jobs: ids.length, steps, finished }));
  return { advanced: ids.length, finished };
}

/** Continues a running job after the answer was sent (c.executionCtx.waitUntil); the cron picks up what is left. */
export async function continueInBackground(env: Env, jobId: string): Promise<void> {
  try {
    await advanceErasure(env, jobId, DEFAULT_BUDGET, ERASURE_BACKGROUND_STEPS);
  } catch (err) {
    console.error(JSON.stringify({ level: "error", where: "erasure", jobId, message: err instanceof Error ? err.message : String(err) }));
  }
}
