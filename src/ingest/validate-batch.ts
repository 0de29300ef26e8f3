// Validates a POST /v1/events body event by event: good events go on, each bad one is reported with its field.
import { MAX_BATCH_EVENTS, MAX_EVENT_BYTES } from "../config/limits";
import { ApiError, formatPath } from "../lib/errors";
import { utf8Length } from "../lib/utf8";
import { issuesOf } from "../lib/validate";
import { checkEventTime, eventBatchSchema, eventSchema, type IngestEvent, type IngestResult } from "../schemas/events";

export type ValidatedBatch = {
  /** Valid events, first occurrence of each id only, in the order sent. */
  events: IngestEvent[];
  /** Position in the request of each of `events` (for answers about one event). */
  indexes: number[];
  /** Ids of every valid event, duplicates within the batch included once. */
  accepted: string[];
  rejected: IngestResult["rejected"];
};

/** `body` is the already-parsed JSON. Envelope problems throw (400, or 413 for too many events). */
export function validateBatch(body: unknown, now: number): ValidatedBatch {
  if (body && typeof body === "object" && Array.isArray((body as { events?: unknown }).events)) {
    const n = (body as { events: unknown[] }).events.length;
    if (n > MAX_BATCH_EVENTS) {
      throw new ApiError(413, "too_many_events", `a batch holds at most ${MAX_BATCH_EVENTS} events, got ${n}`);
    }
  }
  const envelope = eventBatchSchema.safeParse(body);
  if (!envelope.success) {
    const issues = issuesOf(envelope.error);
    throw new ApiError(400, "invalid_request", `invalid batch: ${issues[0]?.path} ${issues[0]?.message}`, issues);
  }

  const events: IngestEvent[] = [];
  const indexes: number[] = [];
  const accepted: string[] = [];
  const rejected: IngestResult["rejected"] = [];
  const seen = new Set<string>();
  envelope.data.events.forEach((raw, index) => {
    const rawId = idOf(raw);
    const bytes = utf8Length(JSON.stringify(raw));
    if (bytes > MAX_EVENT_BYTES) {
      rejected.push({ index, id: rawId, field: "(event)", code: "too_large", message: `event is ${bytes} bytes; at most ${MAX_EVENT_BYTES}` });
      return;
    }
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      rejected.push({ index, id: rawId, field: formatPath(issue.path), code: "invalid", message: issue.message });
      return;
    }
    const timeProblem = checkEventTime(parsed.data.ts, now);
    if (timeProblem) {
      rejected.push({ index, id: rawId, field: "ts", code: "invalid", message: timeProblem });
      return;
    }
    if (seen.has(parsed.data.id)) return; // the same event twice in one batch counts once
    seen.add(parsed.data.id);
    events.push(parsed.data);
    indexes.push(index);
    accepted.push(parsed.data.id);
  });
  return { events, indexes, accepted, rejected };
}

function idOf(raw: unknown): string | undefined {
  if (raw && typeof raw === "object") {
    const id = (raw as { id?: unknown }).id;
    if (typeof id === "string" && id.length <= 64) return id;
  }
  return undefined;
}
