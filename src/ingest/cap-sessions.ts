// Caps the distinct sessions one POST /v1/events batch may touch. Each session costs one Durable Object RPC, so
// a batch spread over hundreds of made-up session ids would cost hundreds of calls; events past the cap are
// rejected one by one (the client may resend them), the rest go on.
import type { ValidatedBatch } from "./validate-batch";

export function capSessions(batch: ValidatedBatch, max: number): ValidatedBatch {
  const sessions = new Set<string>();
  const keep: number[] = [];
  const over = new Set<string>();
  const rejected = [...batch.rejected];
  batch.events.forEach((e, i) => {
    if (sessions.has(e.sessionId) || sessions.size < max) {
      sessions.add(e.sessionId);
      keep.push(i);
      return;
    }
    over.add(e.id);
    rejected.push({
      index: batch.indexes[i]!,
      id: e.id,
      field: "sessionId",
      code: "too_many_sessions",
      message: `a batch may touch at most ${max} sessions; resend this event in another batch`,
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
