// The ingest queue's message: one slice of an accepted batch, enqueued by POST /v1/events and the Segment routes,
// written to D1 (and archived to R2) by the queue consumer. Validated again on the consumer side: a message from an
// older or newer deployment, or a damaged one, goes to the dead-letter queue instead of into storage.
import * as z from "zod";
import { siteIdString } from "./sites";
import { eventFields } from "./events";

/** Bumped when the shape changes incompatibly; a consumer dead-letters versions it does not know. */
export const INGEST_MESSAGE_VERSION = 1;

/**
 * Events as ingest admitted them: validated, identity proofs checked and stripped (`userHash` never travels),
 * sessions assigned. The per-type rules are not re-run: an unproven userId was dropped after they passed.
 */
export type QueuedEvent = Omit<z.infer<typeof eventFields>, "userHash">;

/**
 * The consumer's check of a queued event: its shape, not the request's full rules again (the request ran them; a
 * consumer batch holds up to 50,000 events, and re-running every string refinement costs it most of its CPU). What
 * fails this is not an event this code wrote.
 */
const queuedEventShape = z.object({
  id: z.string(),
  type: eventFields.shape.type,
  anonymousId: z.string(),
  userId: z.string().optional(),
  sessionId: z.string(),
  itemId: z.string().optional(),
  ts: z.number(),
  context: z.record(z.string(), z.unknown()).optional(),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const ingestMessageSchema = z.object({
  v: z.literal(INGEST_MESSAGE_VERSION),
  siteId: siteIdString,
  /** Server time the request was received (the events' received_at). */
  receivedAt: z.number().int().positive(),
  // The cast: the shape above is what QueuedEvent serialises to; context's fields were validated by the request.
  events: z.array(queuedEventShape).min(1) as unknown as z.ZodType<QueuedEvent[]>,
});
export type IngestMessage = z.infer<typeof ingestMessageSchema>;
