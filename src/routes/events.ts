// POST /v1/events: validate a batch, store new events in D1 (one transaction), then hand each session its events
// in one Durable Object RPC.
import { Hono } from "hono";
import { MAX_BATCH_BYTES, PUBLIC_BATCH_LIMITS, SERVER_BATCH_LIMITS } from "../config/limits";
import { resolveIdentities } from "../ingest/resolve-identities";
import { capBatch } from "../ingest/cap-distinct";
import { validateBatch } from "../ingest/validate-batch";
import type { AppEnv } from "../lib/app-env";
import { isTrusted, requireSite } from "../lib/auth";
import { verifyUserIds } from "../ingest/verify-identity";
import { readCappedText } from "../lib/body";
import { ApiError } from "../lib/errors";
import { parseJsonText } from "../lib/validate";
import type { IngestResult } from "../schemas/events";
import { sessionStub } from "../session/session-client";
import type { SessionEventInput } from "../session/types";
import { loadIngestContext, writeIngestBatch, type StoredEvent } from "../storage/events-repo";

export const events = new Hono<AppEnv>();

events.post("/", requireSite, async (c) => {
  const now = Date.now();
  const text = await readCappedText(c, MAX_BATCH_BYTES);
  const batch = capBatch(validateBatch(parseJsonText(text), now), c.get("role") === "server" ? SERVER_BATCH_LIMITS : PUBLIC_BATCH_LIMITS);
  const result: IngestResult = { accepted: batch.accepted, rejected: batch.rejected };
  if (batch.events.length === 0) {
    throw new ApiError(
      400,
      "no_valid_events",
      "no event in the batch is valid",
      batch.rejected.map((r) => ({ path: `events[${r.index}].${r.field}`, message: r.message })),
    );
  }
  const site = c.get("site");
  // A browser's userId needs the backend's proof; unproven ones are dropped before anything reads or stores them.
  const verified = await verifyUserIds(batch.events, batch.indexes, {
    trusted: isTrusted(c),
    verificationOff: site.identityVerification === "off",
    secrets: c.get("identitySecrets"),
  });
  if (verified.warnings.length > 0) result.warnings = verified.warnings;

  const { known, declined, suppressedUsers, unpersonalized } = await loadIngestContext(c.env.DB, site.id, verified.events);
  // Visitors who declined analytics, and erased ids (suppressed): acknowledged (so clients do not retry) but stored
  // nowhere.
  const kept: typeof verified.events = [];
  const ignored: string[] = [];
  for (const e of verified.events) {
    if (declined.has(e.anonymousId) || (e.userId !== undefined && suppressedUsers.has(e.userId))) ignored.push(e.id);
    else kept.push(e);
  }
  if (ignored.length > 0) result.ignored = ignored;
  if (kept.length === 0) return c.json(result, 200);
  const resolution = resolveIdentities(kept, known);
  const stored: StoredEvent[] = kept.map((e, i) => ({ ...e, profileId: resolution.profileOf[i]! }));
  await writeIngestBatch(c.env.DB, site.id, stored, resolution.identityWrites, resolution.merges, now);

  // D1 first, sessions second: if a session call fails the client retries the batch, D1 ignores the repeats and
  // the session gets its events then. The reverse order could leave a session ahead of the log.
  const bySession = new Map<string, SessionEventInput[]>();
  // Sessions of visitors who declined personalization: their objects keep the path but never serve from it.
  const noPersonalization = new Set(kept.filter((e) => unpersonalized.has(e.anonymousId)).map((e) => e.sessionId));
  for (const e of kept) {
    let list = bySession.get(e.sessionId);
    if (!list) bySession.set(e.sessionId, (list = []));
    list.push(e.itemId === undefined ? { id: e.id, type: e.type, ts: e.ts } : { id: e.id, type: e.type, itemId: e.itemId, ts: e.ts });
  }
  await Promise.all(
    [...bySession].map(([sessionId, list]) => sessionStub(c.env, site.id, sessionId).append(site.id, sessionId, list, !noPersonalization.has(sessionId))),
  );

  return c.json(result, 200);
});
