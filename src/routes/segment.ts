// The Segment-compatible HTTP API: POST /v1/batch, /v1/track, /v1/page, /v1/screen, /v1/identify, /v1/alias (and
// /v1/group, and analytics.js's short forms /v1/b, /v1/t, /v1/p, …), so a site on Segment or RudderStack points its
// existing client here. Messages are mapped (ingest/segment-map.ts) into the same validation, identity, consent and
// storage path as POST /v1/events (ingest/ingest-batch.ts).
import { Hono, type Context } from "hono";
import { tunables } from "../config/env";
import { PUBLIC_BATCH_LIMITS, SEGMENT_MAX_BATCH_BYTES, SEGMENT_MAX_MESSAGE_BYTES, SEGMENT_MAX_MESSAGE_ID_LENGTH, SERVER_BATCH_LIMITS } from "../config/limits";
import { capBatch } from "../ingest/cap-distinct";
import { ingestBatch } from "../ingest/ingest-batch";
import { mapMessage, segmentFieldOf } from "../ingest/segment-map";
import { deriveSessions } from "../ingest/segment-sessions";
import { validateBatch } from "../ingest/validate-batch";
import type { AppEnv } from "../lib/app-env";
import { authenticateKey } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { ApiError, formatPath } from "../lib/errors";
import { rateLimitRefusal } from "../lib/rate-limit";
import { issuesOf, parseJsonText } from "../lib/validate";
import type { IngestEvent } from "../schemas/events";
import { segmentBatchSchema, segmentMessageSchema, type SegmentCall, type SegmentResult } from "../schemas/segment";

export const segment = new Hono<AppEnv>();

const encoder = new TextEncoder();
type Rejection = SegmentResult["rejected"][number];

/** The write key of `Authorization: Basic base64(writeKey:)` (the password is empty), or undefined without the header. */
function basicKeyOf(c: Context<AppEnv>): string | undefined {
  const header = c.req.header("authorization");
  if (header === undefined) return undefined;
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) throw new ApiError(401, "invalid_credentials", "the Authorization header must be Basic base64(writeKey:)");
  let decoded: string;
  try {
    decoded = atob(m[1]!);
  } catch {
    throw new ApiError(401, "invalid_credentials", "the Basic credentials are not valid base64");
  }
  const user = decoded.split(":", 1)[0]!;
  if (!user) throw new ApiError(401, "missing_key", "the Basic credentials hold no write key");
  return user;
}

/**
 * Authenticates, rate-limits and reads the body: the parsed body, or the 429 to answer. The key comes as Segment
 * clients send it: Basic auth (checked before the body is read, so a refused client costs no parsing), else
 * `writeKey` in the body. The public key (pk_…) is a browser source; the server key (sk_…) a trusted backend one.
 */
async function open(c: Context<AppEnv>, maxBytes: number): Promise<{ body: unknown } | Response> {
  const headerKey = basicKeyOf(c);
  const admit = async (key: string) => (await authenticateKey(c, key, { isAdmin: false })) ?? (await rateLimitRefusal(c));
  if (headerKey !== undefined) {
    const refused = await admit(headerKey);
    if (refused) return refused;
  }
  const body = parseJsonText(await readCappedText(c, maxBytes, { anyContentType: true, gzip: true }));
  if (headerKey === undefined) {
    const bodyKey = body && typeof body === "object" ? (body as { writeKey?: unknown }).writeKey : undefined;
    if (typeof bodyKey !== "string" || !bodyKey) {
      throw new ApiError(401, "missing_key", "a write key is required (Authorization: Basic base64(writeKey:), or writeKey in the body)");
    }
    const refused = await admit(bodyKey);
    if (refused) return refused;
  }
  return { body };
}

/**
 * Maps, validates and stores messages; `path` names a message in answers (`batch[3]`, or "" for a single call).
 * Answers 200 with per-message detail, or 400 naming the fields when no message is valid.
 */
async function ingestMessages(c: Context<AppEnv>, raws: unknown[], batchSentAt: string | undefined, path: (i: number) => string): Promise<Response> {
  const now = Date.now();
  const site = c.get("site");
  const rejected: Rejection[] = [];
  const events: IngestEvent[] = [];
  const messageOf: number[] = [];
  const messageIds: (string | undefined)[] = raws.map(() => undefined);
  const derived = new Set<string>();
  await Promise.all(
    raws.map(async (raw, index) => {
      const sentId = (raw as { messageId?: unknown } | null)?.messageId;
      const echo = typeof sentId === "string" && sentId.length <= SEGMENT_MAX_MESSAGE_ID_LENGTH ? sentId : undefined;
      const bytes = encoder.encode(JSON.stringify(raw)).byteLength;
      if (bytes > SEGMENT_MAX_MESSAGE_BYTES) {
        rejected.push({ index, messageId: echo, field: "(message)", code: "too_large", message: `message is ${bytes} bytes; at most ${SEGMENT_MAX_MESSAGE_BYTES}` });
        return;
      }
      const parsed = segmentMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = issuesOf(parsed.error)[0]!;
        rejected.push({ index, messageId: echo, field: issue.path, code: "invalid", message: issue.message });
        return;
      }
      const mapped = await mapMessage(parsed.data, raw, { siteId: site.id, receivedAt: now, batchSentAt });
      if (!("events" in mapped)) {
        rejected.push({ index, messageId: echo, field: mapped.field, code: "invalid", message: mapped.message });
        return;
      }
      messageIds[index] = mapped.messageId;
      for (const e of mapped.events) {
        events.push(e);
        messageOf.push(index);
        if (mapped.deriveSession) derived.add(e.id);
      }
    }),
  );
  // Promise.all finishes in any order: put events back in message order, so answers and path order follow the body.
  const order = events.map((_, i) => i).sort((a, b) => messageOf[a]! - messageOf[b]! || a - b);
  const sortedEvents = order.map((i) => events[i]!);
  const sortedMessageOf = order.map((i) => messageOf[i]!);

  // The contract's own validation (the same as POST /v1/events) and the caller's per-batch caps.
  const validated = sortedEvents.length === 0 ? undefined : capBatch(validateBatch({ events: sortedEvents }, now), c.get("role") === "server" ? SERVER_BATCH_LIMITS : PUBLIC_BATCH_LIMITS);
  for (const r of validated?.rejected ?? []) {
    const index = sortedMessageOf[r.index]!;
    rejected.push({ index, messageId: messageIds[index], field: segmentFieldOf(r.field), code: r.code, message: r.message });
  }
  rejected.sort((a, b) => a.index - b.index);
  if (!validated || validated.events.length === 0) {
    throw new ApiError(
      400,
      "no_valid_messages",
      rejected.length === 1 ? `invalid message: ${path(rejected[0]!.index)}${rejected[0]!.field} ${rejected[0]!.message}` : "no message in the batch is valid",
      rejected.map((r) => ({ path: `${path(r.index)}${r.field}`, message: r.message })),
    );
  }

  const idleMs = tunables(c.env).SESSION_IDLE_MINUTES * 60_000;
  const sessions = new Map<string, string>();
  const { result } = await ingestBatch(c, validated, now, {
    assignSessions: async (kept) => {
      const assigned = await deriveSessions(c.env.DB, site.id, kept, (e) => derived.has(e.id), idleMs);
      // Each visitor's latest session, so a site can read GET /v1/sessions/:id/next for Segment traffic.
      const latest = new Map<string, number>();
      for (const e of assigned) {
        if ((latest.get(e.anonymousId) ?? -Infinity) <= e.ts) {
          latest.set(e.anonymousId, e.ts);
          sessions.set(e.anonymousId, e.sessionId);
        }
      }
      return assigned;
    },
  });
  const messageOfEvent = new Map(sortedEvents.map((e, i) => [e.id, sortedMessageOf[i]!]));
  const rejectedMessages = new Set(rejected.map((r) => r.index));
  const acceptedMessages = [...new Set(validated.events.map((e) => messageOfEvent.get(e.id)!))].filter((i) => !rejectedMessages.has(i));
  // A message is a duplicate when every event it maps to is one (an order's purchases all arrived before).
  const duplicateIds = new Set(result.duplicates ?? []);
  const isDuplicate = (i: number) => validated.events.every((e) => messageOfEvent.get(e.id) !== i || duplicateIds.has(e.id));
  const answer: SegmentResult = {
    success: true,
    accepted: acceptedMessages.filter((i) => duplicateIds.size === 0 || !isDuplicate(i)).map((i) => messageIds[i]!),
    rejected,
  };
  if (duplicateIds.size > 0) {
    const duplicates = acceptedMessages.filter(isDuplicate).map((i) => messageIds[i]!);
    if (duplicates.length > 0) answer.duplicates = duplicates;
  }
  if (sessions.size > 0) answer.sessions = Object.fromEntries(sessions);
  if (result.ignored) answer.ignored = [...new Set(result.ignored.map((id) => messageIds[messageOfEvent.get(id)!]!))];
  if (result.warnings) {
    // One warning per message and field, though an order's purchases each carried it.
    const seen = new Set<string>();
    answer.warnings = [];
    for (const w of result.warnings) {
      const index = sortedMessageOf[w.index]!;
      const field = segmentFieldOf(w.field);
      if (seen.has(`${index}\u0000${field}\u0000${w.code}`)) continue;
      seen.add(`${index}\u0000${field}\u0000${w.code}`);
      answer.warnings.push({ index, messageId: messageIds[index], field, code: w.code, message: w.message });
    }
  }
  return c.json(answer, 200);
}

/** analytics.js (the browser's analytics-next) posts to `${apiHost}/b` for batches and `/t`, `/p`, … for single calls. */
const batchRoute = async (c: Context<AppEnv>) => {
  const opened = await open(c, SEGMENT_MAX_BATCH_BYTES);
  if (opened instanceof Response) return opened;
  const envelope = segmentBatchSchema.safeParse(opened.body);
  if (!envelope.success) {
    const issues = issuesOf(envelope.error);
    if (envelope.error.issues.some((i) => i.code === "too_big" && formatPath(i.path) === "batch")) {
      throw new ApiError(413, "too_many_messages", `invalid batch: ${issues[0]?.path} ${issues[0]?.message}`, issues);
    }
    throw new ApiError(400, "invalid_request", `invalid batch: ${issues[0]?.path} ${issues[0]?.message}`, issues);
  }
  return ingestMessages(c, envelope.data.batch, envelope.data.sentAt, (i) => `batch[${i}].`);
};
segment.post("/batch", batchRoute);
segment.post("/b", batchRoute);

/**
 * The single-message routes: the path names the call, so a body without `type` is that call. Each has its
 * analytics.js short form too (`/v1/t` for track, `/v1/p` for page, …), as Segment's API does.
 */
for (const call of ["track", "page", "screen", "identify", "alias", "group"] as const satisfies readonly SegmentCall[]) {
  const handler = async (c: Context<AppEnv>) => {
    const opened = await open(c, SEGMENT_MAX_MESSAGE_BYTES);
    if (opened instanceof Response) return opened;
    const body = opened.body;
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new ApiError(400, "invalid_request", "the body must be a JSON object (one message)", [{ path: "(body)", message: "must be an object" }]);
    const { writeKey: _key, ...message } = body as Record<string, unknown>;
    if (message.type !== undefined && message.type !== call) {
      throw new ApiError(400, "invalid_request", `type must be "${call}" on /v1/${call}`, [{ path: "type", message: `must be "${call}"` }]);
    }
    return ingestMessages(c, [{ ...message, type: call }], undefined, () => "");
  };
  segment.post(`/${call}`, handler);
  segment.post(`/${call[0]}`, handler);
}
