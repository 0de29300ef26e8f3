// The event contract: what POST /v1/events accepts, shared with the browser SDK so both validate the same shape.
import * as z from "zod";
import {
  MAX_BATCH_EVENTS,
  MAX_EVENT_AGE_MS,
  MAX_FUTURE_SKEW_MS,
  MAX_PROPERTIES,
  MAX_PROPERTY_KEY_LENGTH,
  MAX_PROPERTY_VALUE_LENGTH,
} from "../config/limits";
import { idString, recommendationIdString, text, userHashString, wellFormedString } from "./common";
import { EVENT_TYPES, ITEM_REQUIRED_TYPES, USER_REQUIRED_TYPES } from "./event-types";

// The per-type facts live in one table (event-types.ts); re-exported here, where the contract has always lived.
export { EVENT_TYPES, ITEM_REQUIRED_TYPES, PATH_TYPES, USER_REQUIRED_TYPES, type EventType } from "./event-types";

const propertyValue = z.union([
  wellFormedString().max(MAX_PROPERTY_VALUE_LENGTH, `must be at most ${MAX_PROPERTY_VALUE_LENGTH} characters`),
  z.number().finite(),
  z.boolean(),
  z.null(),
]);

const properties = z
  .record(wellFormedString().min(1).max(MAX_PROPERTY_KEY_LENGTH), propertyValue)
  .refine((o) => Object.keys(o).length <= MAX_PROPERTIES, `must have at most ${MAX_PROPERTIES} keys`);

/**
 * Page and device context. Unknown keys are dropped (zod's default strip), which is also how an `ip` field a
 * client might send never reaches storage: raw IP addresses are never stored.
 */
export const eventContext = z.object({
  url: text.optional(),
  referrer: text.optional(),
  title: text.optional(),
  userAgent: text.optional(),
  locale: wellFormedString().max(35).optional(),
  timezone: wellFormedString().max(64).optional(),
  device: z.enum(["desktop", "mobile", "tablet", "other"]).optional(),
  screen: z.object({ width: z.number().int().min(0).max(100_000), height: z.number().int().min(0).max(100_000) }).optional(),
  /** The recommendation id a click or impression came from, for attribution. */
  recommendationId: recommendationIdString.optional(),
  /** The slot (home, product, cart, …) that showed the recommendation. */
  slot: wellFormedString().max(64).optional(),
});

/** An event's fields without the per-type rules (the ingest queue's messages reuse them: see ingest-queue.ts). */
export const eventFields = z.object({
  id: z.uuid("must be a UUID"),
  type: z.enum(EVENT_TYPES),
  anonymousId: idString,
  userId: idString.optional(),
  /**
   * Proof that the site's backend issued `userId`: lower-case hex HMAC-SHA256 of the user id under the site's
   * identity secret. Needed with the public write key (unless the site turned verification off); never stored.
   */
  userHash: userHashString.optional(),
  sessionId: idString,
  itemId: idString.optional(),
  ts: z.number().int("must be an integer (milliseconds since the epoch)").positive(),
  context: eventContext.optional(),
  properties: properties.optional(),
});

/** One event as a client sends it. `ts` is milliseconds since the epoch. */
export const eventSchema = eventFields.superRefine((e, ctx) => {
  if (ITEM_REQUIRED_TYPES.has(e.type) && e.itemId === undefined) {
    ctx.addIssue({ code: "custom", path: ["itemId"], message: `is required for ${e.type} events` });
  }
  if (USER_REQUIRED_TYPES.has(e.type) && e.userId === undefined) {
    ctx.addIssue({ code: "custom", path: ["userId"], message: `is required for ${e.type} events` });
  }
});
export type IngestEvent = z.infer<typeof eventSchema>;

/** The batch envelope; each element of `events` is validated on its own so one bad event does not sink the rest. */
export const eventBatchSchema = z.object({
  events: z.array(z.unknown()).min(1, "must hold at least one event").max(MAX_BATCH_EVENTS),
  sentAt: z.number().int().positive().optional(),
});

/** A time check needs the server clock, so it lives outside the schema. Returns a message, or null when fine. */
export function checkEventTime(ts: number, now: number): string | null {
  if (ts > now + MAX_FUTURE_SKEW_MS) return `is more than ${MAX_FUTURE_SKEW_MS / 1000} s in the future`;
  if (ts < now - MAX_EVENT_AGE_MS) return `is more than ${MAX_EVENT_AGE_MS / 86_400_000} days in the past`;
  return null;
}

/** What POST /v1/events answers. */
export type IngestResult = {
  /** Valid events newly accepted (each id once, even when the batch repeats it). */
  accepted: string[];
  /**
   * Valid events an earlier request already accepted (found in D1, or in the live session object): stored once,
   * never counted again. Present only when non-empty. See README "Ingest pipeline" for the window in which a
   * repeat can still be listed as accepted (it is then still stored and counted once).
   */
  duplicates?: string[];
  /** Accepted but not stored: the visitor declined analytics (present only when non-empty). */
  ignored?: string[];
  rejected: { index: number; id?: string; field: string; code: string; message: string }[];
  /** Accepted, but not as sent: e.g. `unverified_user_id` (stored as anonymous). Present only when non-empty. */
  warnings?: { index: number; id?: string; field: string; code: string; message: string }[];
};
