// The ingest queue's message split, pure (unit-tested in Node): an admitted batch as messages under the platform's
// 128 KB message limit, events in their order, each message as its JSON text. Sizing a message needs each event's
// JSON anyway, so the message is that JSON joined and sent as text: a `json` message was serialised again by the
// runtime (and, in Miniflare, parsed and re-serialised by the local queue broker on the Worker's thread).
import { QUEUE_MESSAGE_BYTES } from "../config/limits";
import { utf8Length } from "../lib/utf8";
import { INGEST_MESSAGE_VERSION, type QueuedEvent } from "../schemas/ingest-queue";

/** The envelope around the events array, generously: site id (64), a timestamp and the keys. */
const ENVELOPE_BYTES = 256;

/** A message: the JSON text of an IngestMessage, and an upper bound of its UTF-8 size. */
export type IngestMessageText = { body: string; bytes: number };

/** Messages of at most QUEUE_MESSAGE_BYTES of JSON each, events in their order. */
export function ingestMessages(siteId: string, receivedAt: number, events: readonly QueuedEvent[]): IngestMessageText[] {
  const out: IngestMessageText[] = [];
  // The envelope's keys before the events array; JSON.stringify quotes the site id as the full message would.
  const head = `{"v":${INGEST_MESSAGE_VERSION},"siteId":${JSON.stringify(siteId)},"receivedAt":${receivedAt},"events":[`;
  let current: string[] = [];
  let bytes = ENVELOPE_BYTES;
  const flush = () => {
    if (current.length === 0) return;
    out.push({ body: `${head}${current.join(",")}]}`, bytes });
    current = [];
    bytes = ENVELOPE_BYTES;
  };
  for (const e of events) {
    // One event is at most MAX_EVENT_BYTES (far below a message), so it always fits a fresh message.
    const json = JSON.stringify(e);
    const size = utf8Length(json) + 1;
    if (bytes + size > QUEUE_MESSAGE_BYTES) flush();
    current.push(json);
    bytes += size;
  }
  flush();
  return out;
}
