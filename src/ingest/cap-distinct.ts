// Caps how many distinct sessions and visitors one POST /v1/events batch may touch. Each session costs one Durable
// Object RPC, and each made-up anonymous id is one more invented visitor in trending and segments: a browser sends
// one of each, so events past a cap are rejected one by one (the client may resend them), the rest go on.
import type { IngestEvent } from "../schemas/events";
import type { ValidatedBatch } from "./validate-batch";

type Cap = { of: (e: IngestEvent) => string; max: number; field: "sessionId" | "anonymousId"; code: string; what: string };

export function capDistinct(batch: ValidatedBatch, cap: Cap): ValidatedBatch {
  const seen = new Set<string>();
  const keep: number[] = [];
  const over = new Set<string>();
  const rejected = [...batch.rejected];
  batch.events.forEach((e, i) => {
    const value = cap.of(e);
    if (seen.has(value) || seen.size < cap.max) {
      seen.add(value);
      keep.push(i);
      return;
    }
    over.add(e.id);
    rejected.push({
      index: batch.indexes[i]!,
      id: e.id,
      field: cap.field,
      code: cap.code,
      message: `a batch may touch at most ${cap.max} ${cap.what}; resend this event in another batch`,
    });
  });
  if (over.size === 0) return batch;
  return {
    events: keep.map((i) => batch.events[i]!),
    indexes: keep.map((i) => batch.indexes[i]!),
    accepted: batch.accepted.filter((id) => !over.has(id)),
    rejected: rejected.sort((a, b) => a.index - b.index),
  };
}

/** The batch within the caps of the caller's role (server keys relay many visitors at once). */
export function capBatch(batch: ValidatedBatch, limits: { sessions: number; visitors: number }): ValidatedBatch {
  const bySession = capDistinct(batch, { of: (e) => e.sessionId, max: limits.sessions, field: "sessionId", code: "too_many_sessions", what: "sessions" });
  return capDistinct(bySession, { of: (e) => e.anonymousId, max: limits.visitors, field: "anonymousId", code: "too_many_visitors", what: "anonymous ids" });
}

/**
 * Splits events into batches that no cap rejects (for clients that relay many visitors: the seed script, the
 * benchmarks, tests): at most `events` per batch and `sessions` / `visitors` distinct ones, order kept.
 */
export function planBatches<E extends { sessionId: string; anonymousId: string }>(
  events: readonly E[],
  limits: { events: number; sessions: number; visitors: number },
): E[][] {
  const out: E[][] = [];
  let batch: E[] = [];
  let sessions = new Set<string>();
  let visitors = new Set<string>();
  for (const e of events) {
    const newSession = !sessions.has(e.sessionId);
    const newVisitor = !visitors.has(e.anonymousId);
    if (batch.length >= limits.events || (newSession && sessions.size >= limits.sessions) || (newVisitor && visitors.size >= limits.visitors)) {
      out.push(batch);
      batch = [];
      sessions = new Set();
      visitors = new Set();
    }
    batch.push(e);
    sessions.add(e.sessionId);
    visitors.add(e.anonymousId);
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
