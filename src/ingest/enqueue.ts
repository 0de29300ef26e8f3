// The producer half of the ingest queue: sends an admitted batch as messages (queue-messages.ts splits it) and
// resolves only once every message is durable in the queue, so the request may then answer.
import { QUEUE_SEND_BATCH_BYTES } from "../config/limits";
import type { QueuedEvent } from "../schemas/ingest-queue";
import { ingestMessages } from "./queue-messages";

/**
 * Sends the events as ingest messages (JSON text; the consumer parses it): `sendBatch` calls of at most QUEUE_SEND_BATCH_BYTES, in parallel. A failure
 * rejects (the request answers 5xx and the client retries); messages already sent are then stored once anyway,
 * since the consumer skips event ids it already has.
 */
export async function enqueueEvents(queue: Queue<string>, siteId: string, receivedAt: number, events: readonly QueuedEvent[]): Promise<void> {
  const calls: MessageSendRequest<string>[][] = [];
  let call: MessageSendRequest<string>[] = [];
  let callBytes = 0;
  for (const m of ingestMessages(siteId, receivedAt, events)) {
    if (call.length > 0 && (callBytes + m.bytes > QUEUE_SEND_BATCH_BYTES || call.length === 100)) {
      calls.push(call);
      call = [];
      callBytes = 0;
    }
    call.push({ body: m.body, contentType: "text" });
    callBytes += m.bytes;
  }
  if (call.length > 0) calls.push(call);
  await Promise.all(calls.map((c) => queue.sendBatch(c)));
}
