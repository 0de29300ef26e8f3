// The ingest queue's message split, pure (unit-tested in Node): an admitted batch as messages under the platform's
// 128 KB message limit, events in their order.
import { QUEUE_MESSAGE_BYTES } from "../config/limits";
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
