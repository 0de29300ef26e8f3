// The one ingest path after validation, shared by POST /v1/events and the Segment-compatible routes: identity
// proofs, the consent and erasure filters (isolate-cached: no D1 on a warm request), then the batch goes onto the
// ingest queue (durable before we answer) and each session gets its events in one Durable Object RPC. The queue consumer (queue-consumer.ts) writes D1 and R2.
import type { Context } from "hono";
import type { AppEnv } from "../lib/app-env";
import { isTrusted } from "../lib/auth";
import type { IngestEvent, IngestResult } from "../schemas/events";
import type { QueuedEvent } from "../schemas/ingest-queue";
import { sessionStub } from "../session/session-client";
import type { ServingPath, SessionEventInput } from "../session/types";
import { loadAdmission } from "../storage/events-repo";
import { enqueueEvents } from "./enqueue";
import type { ValidatedBatch } from "./validate-batch";
import { verifyUserIds } from "./verify-identity";

export type IngestOptions = {
  /**
   * Runs on the events that will be stored (after the consent and erasure filters, so nothing is derived for
   * visitors stored nowhere) and may replace their session ids; it keeps their order and count.
   */
  assignSessions?: (events: IngestEvent[]) => Promise<IngestEvent[]>;
  /** A session whose serving path, as its object holds it after this batch, the outcome carries (`?recommend=`). */
  pathOf?: string;
};

export type IngestOutcome = {
  /** What POST /v1/events answers. */
  result: IngestResult;
  /** `pathOf`'s serving path after the append; null when none of its events reached it (declined, suppressed). */
  served: ServingPath | null;
};

/** Admits a validated, non-empty batch and feeds its sessions. */
export async function ingestBatch(c: Context<AppEnv>, batch: ValidatedBatch, now: number, options: IngestOptions = {}): Promise<IngestOutcome> {
  const result: IngestResult = { accepted: batch.accepted, rejected: batch.rejected };
  const site = c.get("site");
  // A browser's userId needs the backend's proof; unproven ones are dropped before anything reads or stores them.
  const verified = await verifyUserIds(batch.events, batch.indexes, {
    trusted: isTrusted(c),
    verificationOff: site.identityVerification === "off",
    secrets: c.get("identitySecrets"),
  });
  if (verified.warnings.length > 0) result.warnings = verified.warnings;

  const { declined, suppressedUsers, unpersonalized } = await loadAdmission(c.env.DB, site.id, verified.events);
  // Visitors who declined analytics, and erased ids (suppressed): acknowledged (so clients do not retry) but stored
  // nowhere.
  let kept: IngestEvent[] = [];
  const ignored: string[] = [];
  for (const e of verified.events) {
    if (declined.has(e.anonymousId) || (e.userId !== undefined && suppressedUsers.has(e.userId))) ignored.push(e.id);
    else kept.push(e);
  }
  if (ignored.length > 0) result.ignored = ignored;
  if (kept.length === 0) return { result, served: null };
  if (options.assignSessions) kept = await options.assignSessions(kept);

  // Queue first, sessions second: if a session call fails the client retries the batch, the consumer ignores the
  // repeats and the session gets its events then. The reverse order could leave a session ahead of the log.
  await enqueueEvents(c.env.INGEST_QUEUE, site.id, now, kept satisfies QueuedEvent[]);

  const bySession = new Map<string, SessionEventInput[]>();
  // Sessions of visitors who declined personalization: their objects keep the path but never serve from it.
  const noPersonalization = new Set(kept.filter((e) => unpersonalized.has(e.anonymousId)).map((e) => e.sessionId));
  for (const e of kept) {
    let list = bySession.get(e.sessionId);
    if (!list) bySession.set(e.sessionId, (list = []));
    list.push(e.itemId === undefined ? { id: e.id, type: e.type, ts: e.ts } : { id: e.id, type: e.type, itemId: e.itemId, ts: e.ts });
  }
  const sessions = [...bySession];
  const appended = await Promise.all(
    sessions.map(([sessionId, list]) => sessionStub(c.env, site.id, sessionId).append(site.id, sessionId, list, !noPersonalization.has(sessionId), sessionId === options.pathOf)),
  );
  const served = appended[sessions.findIndex(([sessionId]) => sessionId === options.pathOf)]?.serving ?? null;
  // Duplicates of earlier requests: the events their live session had already seen (it knows at once, where D1
  // learns only when the consumer has run; README "Ingest pipeline" says what it cannot know).
  const seen = new Set(appended.flatMap((a) => a.duplicateIds));
  const duplicates = kept.filter((e) => seen.has(e.id)).map((e) => e.id);
  if (duplicates.length > 0) {
    const dup = new Set(duplicates);
    result.accepted = result.accepted.filter((id) => !dup.has(id));
    result.duplicates = duplicates;
  }
  return { result, served };
}
