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
export const queuedEventSchema = eventFields.omit({ userHash: true });
export type QueuedEvent = z.infer<typeof queuedEventSchema>;

export const ingestMessageSchema = z.object({
  v: z.literal(INGEST_MESSAGE_VERSION),
  siteId: siteIdString,
  /** Server time the request was received (the events' received_at). */
  receivedAt: z.number().int().positive(),
  events: z.array(queuedEventSchema).min(1),
});
export type IngestMessage = z.infer<typeof ingestMessageSchema>;
