// The producer half of the ingest queue: splits an admitted batch into messages under the platform's size limits
// and sends them. Resolves only once every message is durable in the queue, so the request may then answer.
import { QUEUE_MESSAGE_BYTES, QUEUE_SEND_BATCH_BYTES } from "../config/limits";
import { INGEST_MESSAGE_VERSION, type IngestMessage, type QueuedEvent } from "../schemas/ingest-queue";

const encoder = new TextEncoder();
/** The envelope around the events array, generously: site id (64), a timestamp and the keys. */
const ENVELOPE_BYTES = 256;

/** Messages of at most QUEUE_MESSAGE_BYTES of JSON each, events in their order. */
export function ingestMessages(siteId: string, receivedAt: number, events: readonly QueuedEvent[]): { body: IngestMessage; bytes: number }[] {
  const out: { body: IngestMessage; bytes: number }[] = [];
  let current: QueuedEvent[] = [];
  let bytes = ENVELOPE_BYTES;
  const flush = () => {
    if (current.length === 0) return;
    out.push({ body: { v: INGEST_MESSAGE_VERSION, siteId, receivedAt, events: current }, bytes });
    current = [];
    bytes = ENVELOPE_BYTES;
  };
  for (const e of events) {
    // One event is at most MAX_EVENT_BYTES (far below a message), so it always fits a fresh message.
    const size = encoder.encode(JSON.stringify(e)).byteLength + 1;
    if (bytes + size > QUEUE_MESSAGE_BYTES) flush();
    current.push(e);
    bytes += size;
  }
  flush();
  return out;
}

/**
 * Sends the events as ingest messages: `sendBatch` calls of at most QUEUE_SEND_BATCH_BYTES, in parallel. A failure
 * rejects (the request answers 5xx and the client retries); messages already sent are then stored once anyway,
 * since the consumer skips event ids it already has.
 */
export async function enqueueEvents(queue: Queue<IngestMessage>, siteId: string, receivedAt: number, events: readonly QueuedEvent[]): Promise<void> {
  const calls: MessageSendRequest<IngestMessage>[][] = [];
  let call: MessageSendRequest<IngestMessage>[] = [];
  let callBytes = 0;
  for (const m of ingestMessages(siteId, receivedAt, events)) {
    if (call.length > 0 && (callBytes + m.bytes > QUEUE_SEND_BATCH_BYTES || call.length === 100)) {
      calls.push(call);
      call = [];
      callBytes = 0;
    }
    call.push({ body: m.body, contentType: "json" });
    callBytes += m.bytes;
  }
  if (call.length > 0) calls.push(call);
  await Promise.all(calls.map((c) => queue.sendBatch(c)));
}
