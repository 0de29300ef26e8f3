// The Segment Spec message shape that POST /v1/batch, /v1/track, /v1/page, /v1/screen, /v1/identify and /v1/alias
// accept (also what RudderStack sends). Only the fields edgerec reads are checked, with the same bounds as
// /v1/events, so a problem is reported under the Segment field's own path; everything else is ignored.
import * as z from "zod";
import { SEGMENT_MAX_BATCH_MESSAGES, SEGMENT_MAX_EVENT_NAME_LENGTH, SEGMENT_MAX_MESSAGE_ID_LENGTH } from "../config/limits";
import { idString, text, userHashString, wellFormedString } from "./common";

/** Segment ids may be numbers; they are stored as their decimal strings. */
const segmentId = z
  .union([z.string(), z.number().finite()], "must be a string")
  .transform(String)
  .pipe(idString);

/** The fields built by `opt`: the OpenAPI document (src/openapi/document.ts) writes them as also taking `null`. */
export const NULL_AS_ABSENT = new WeakSet<object>();

/** An optional field: analytics.js sends `null` for what it does not know (`userId: null` before identify). */
const opt = <T extends z.ZodType>(schema: T) => {
  const field = z.preprocess((v) => (v === null ? undefined : v), schema.optional());
  NULL_AS_ABSENT.add(field);
  return field;
};

/** ISO 8601 with a time and a zone (`2026-12-01T10:00:00.000Z`, `…+02:00`), as every Segment library sends. */
const isoTime = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone" });

export const SEGMENT_CALLS = ["track", "page", "screen", "identify", "alias", "group"] as const;
export type SegmentCall = (typeof SEGMENT_CALLS)[number];

/** The context fields edgerec keeps (page and device context); `ip` and the rest are never read, so never stored. */
const segmentContext = z.object({
  page: opt(z.object({ url: opt(text), referrer: opt(text), title: opt(text) })),
  userAgent: opt(text),
  locale: opt(wellFormedString().max(35)),
  timezone: opt(wellFormedString().max(64)),
  screen: opt(z.object({ width: opt(z.number().int().min(0).max(100_000)), height: opt(z.number().int().min(0).max(100_000)) })),
  device: opt(z.object({ type: opt(wellFormedString().max(64)) })),
  /** RudderStack's (and some Segment setups') session id: used as sent instead of the derived one. */
  sessionId: opt(segmentId),
  /** edgerec's identity proof for a browser-sent userId (HMAC-SHA256 of it under the site's identity secret). */
  userHash: opt(userHashString),
});

/** `properties` (and identify's `traits`) are free-form in Segment; ingest keeps their flat values (segment-map.ts). */
const freeForm = z.record(z.string(), z.unknown());

/** One message of the Segment Spec. */
export const segmentMessageSchema = z
  .object({
    type: z.enum(SEGMENT_CALLS),
    messageId: opt(
      wellFormedString()
        .min(1, "must not be empty")
        .max(SEGMENT_MAX_MESSAGE_ID_LENGTH, `must be at most ${SEGMENT_MAX_MESSAGE_ID_LENGTH} characters`)
        .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters"),
    ),
    anonymousId: opt(segmentId),
    userId: opt(segmentId),
    /** alias: the id the user had before (usually the anonymous id). */
    previousId: opt(segmentId),
    event: opt(wellFormedString().min(1, "must not be empty").max(SEGMENT_MAX_EVENT_NAME_LENGTH)),
    /** page/screen name. */
    name: opt(text),
    properties: opt(freeForm),
    traits: opt(freeForm),
    context: opt(segmentContext),
    integrations: opt(freeForm),
    timestamp: opt(isoTime),
    /** RudderStack's name for the client clock time. */
    originalTimestamp: opt(isoTime),
    sentAt: opt(isoTime),
  })
  .superRefine((m, ctx) => {
    if (m.type === "track" && m.event === undefined) ctx.addIssue({ code: "custom", path: ["event"], message: "is required for track calls" });
    if (m.type === "alias" && m.userId === undefined) ctx.addIssue({ code: "custom", path: ["userId"], message: "is required for alias calls" });
    if (m.anonymousId === undefined && m.userId === undefined && m.previousId === undefined) {
      ctx.addIssue({ code: "custom", path: ["anonymousId"], message: "anonymousId or userId is required" });
    }
  });
export type SegmentMessage = z.infer<typeof segmentMessageSchema>;

/** The /v1/batch envelope; each message is validated on its own so one bad message does not sink the rest. */
export const segmentBatchSchema = z.object({
  batch: z.array(z.unknown()).min(1, "must hold at least one message").max(SEGMENT_MAX_BATCH_MESSAGES, `must hold at most ${SEGMENT_MAX_BATCH_MESSAGES} messages`),
  sentAt: opt(isoTime),
  writeKey: z.string().nullish(),
});

/** What the Segment-compatible routes answer (200): Segment's `success`, and edgerec's per-message detail. */
export type SegmentResult = {
  success: true;
  /** messageIds (or positions, for messages without one) of accepted messages. */
  accepted: string[];
  /** Accepted but stored nowhere: the visitor declined analytics or was erased. */
  ignored?: string[];
  /** Messages an earlier request already accepted (every event they map to is a duplicate): stored once. */
  duplicates?: string[];
  rejected: { index: number; messageId?: string; field: string; code: string; message: string }[];
  warnings?: { index: number; messageId?: string; field: string; code: string; message: string }[];
  /** Each stored visitor's session (anonymousId → session id, derived or as sent): for GET /v1/sessions/:id/next. */
  sessions?: Record<string, string>;
};
