// The ingest queue's consumer (the Worker's `queue` handler): writes many requests' events to D1 in a few large
// transactions (event-id dedup, identities, profiles, rollups), archives them to R2, and acknowledges each message
// only once both are durable; and the dead-letter queue's consumer, which files poison messages in R2.
import { CONSUMER_TRANSACTION_EVENTS } from "../config/limits";
import { INGEST_DEAD_LETTER_QUEUE, INGEST_QUEUE } from "../config/queues";
import { ingestMessageSchema, type IngestMessage, type QueuedEvent } from "../schemas/ingest-queue";
import { archiveEvents, type ArchivedEvent } from "../storage/event-archive";
import { archiveObjectRows, archiveObjectsOf, loadIngestContext, writeIngestBatch, type StoredEvent } from "../storage/events-repo";
import { resolveIdentities } from "./resolve-identities";

type Delivery = { msg: Message<unknown>; body: IngestMessage };

/** Dispatches a delivered batch on its queue's name. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  if (batch.queue === INGEST_QUEUE) return consumeIngest(batch, env);
  if (batch.queue === INGEST_DEAD_LETTER_QUEUE) return fileDeadLetters(batch, env);
  // A queue bound in wrangler.toml with no code for it: fail the delivery (it is retried) rather than drop it.
  throw new Error(`queue handler: no consumer for queue ${JSON.stringify(batch.queue)}`);
}

/**
 * Writes the batch's events, one transaction per group of messages of one site (at most about
 * CONSUMER_TRANSACTION_EVENTS events). A group that fails is retried message by message, so one poison message
 * holds back only itself: it is retried, and after max_retries the platform moves it to the dead-letter queue.
 * A message is acknowledged only after its transaction committed; a crash before that redelivers it, and the
 * writes skip what an earlier attempt stored (see writeIngestBatch).
 */
export async function consumeIngest(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const bySite = new Map<string, Delivery[]>();
  for (const msg of batch.messages) {
    const parsed = ingestMessageSchema.safeParse(messageBody(msg.body));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      logConsumer("invalid_message", { messageId: msg.id, attempts: msg.attempts, path: issue?.path.join("."), message: issue?.message });
      msg.retry();
      continue;
    }
    let list = bySite.get(parsed.data.siteId);
    if (!list) bySite.set(parsed.data.siteId, (list = []));
    list.push({ msg, body: parsed.data });
  }
  // Sites one after the other: one D1 database is one writer, so parallel transactions would only queue there.
  for (const [siteId, deliveries] of bySite) {
    for (const group of transactionGroups(deliveries)) {
      await yieldToRequests();
      try {
        await writeDeliveries(env, siteId, group);
        for (const d of group) d.msg.ack();
      } catch (err) {
        if (group.length === 1) {
          logConsumer("write_failed", { siteId, messageId: group[0]!.msg.id, attempts: group[0]!.msg.attempts, error: errorText(err) });
          group[0]!.msg.retry();
          continue;
        }
        const rebuilt = new Set<string>();
        for (const d of group) {
          try {
            // After a failed group its transaction may have committed: its archive object is rebuilt from D1.
            await writeDeliveries(env, siteId, [d], true, rebuilt);
            d.msg.ack();
          } catch (one) {
            logConsumer("write_failed", { siteId, messageId: d.msg.id, attempts: d.msg.attempts, error: errorText(one) });
            d.msg.retry();
          }
        }
      }
    }
  }
}

/**
 * A message's body as data: producers send JSON text (queue-messages.ts); a body that is already data (a `json` or
 * `v8` message, as producers before sent, or an operator's re-send) is taken as it is. Text that is not JSON
 * becomes undefined, which the schema refuses like any other damaged message.
 */
function messageBody(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Lets the isolate's waiting requests run before the next stretch of consumer work. A transaction's D1 call is a
 * long synchronous stretch on the client side (its request and answer are JSON of every row), and without a turn
 * in between, one stretch ran straight into the next, so requests sharing the isolate waited for most of a
 * 100-message delivery (`npm run bench -- ingest`, consumer in the process: p99 ~500 ms before, ~230 ms after).
 */
function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Consecutive messages whose events add up to about CONSUMER_TRANSACTION_EVENTS (a message is never split). */
function transactionGroups(deliveries: readonly Delivery[]): Delivery[][] {
  const groups: Delivery[][] = [];
  let group: Delivery[] = [];
  let n = 0;
  for (const d of deliveries) {
    if (group.length > 0 && n + d.body.events.length > CONSUMER_TRANSACTION_EVENTS) {
      groups.push(group);
      group = [];
      n = 0;
    }
    group.push(d);
    n += d.body.events.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * One transaction for the messages' events: the consent and erasure filters again (an erasure may have run since
 * the request was answered), identity resolution over all of them in time order, then writeIngestBatch, whose rows
 * all carry one new archive key. Then the archive: the rows this transaction inserted go into that key's object (one
 * per hour partition). Events of a redelivered message that an earlier attempt inserted (and may have crashed before
 * archiving) belong to that attempt's key: its object is rebuilt from D1, whole, so every rewrite of a key writes the
 * same rows. `rebuilt`: keys already rebuilt in this delivery (a group retried message by message shares one).
 */
async function writeDeliveries(env: Env, siteId: string, deliveries: readonly Delivery[], again = false, rebuilt = new Set<string>()): Promise<void> {
  const archiveKey = newArchiveKey();
  const events: (QueuedEvent & { receivedAt: number; messageId: string })[] = [];
  const seen = new Set<string>();
  for (const d of deliveries) {
    for (const e of d.body.events) {
      if (seen.has(e.id)) continue; // two requests' copies of one event in the same transaction: the first wins
      seen.add(e.id);
      events.push({ ...e, receivedAt: d.body.receivedAt, messageId: d.msg.id });
    }
  }
  const context = await loadIngestContext(env.DB, siteId, events);
  const kept = events.filter((e) => !context.declined.has(e.anonymousId) && !(e.userId !== undefined && context.suppressedUsers.has(e.userId)));
  if (kept.length === 0) return;
  const resolution = resolveIdentities(kept, context.known);
  const stored: StoredEvent[] = kept.map(({ messageId: _, ...e }, i) => ({ ...e, profileId: resolution.profileOf[i]!, archiveKey }));
  const inserted = await writeIngestBatch(env.DB, siteId, stored, resolution.identityWrites, resolution.merges, Date.now());
  await yieldToRequests();

  const objects = new Map<string, ArchivedEvent[]>();
  const mine: ArchivedEvent[] = [];
  for (const { archiveKey: _, ...e } of stored) if (inserted.has(e.id)) mine.push(e);
  if (mine.length > 0) objects.set(archiveKey, mine);
  // A message delivered before may have had its events inserted by an attempt that never archived them; an event
  // another message inserted is that message's to archive (it is acknowledged only once it has).
  const redelivered = new Set(deliveries.filter((d) => again || d.msg.attempts > 1).map((d) => d.msg.id));
  const earlier = kept.filter((e, i) => redelivered.has(e.messageId) && !inserted.has(stored[i]!.id)).map((e) => e.id);
  if (earlier.length > 0) {
    const lost = new Map([...(await archiveObjectsOf(env.DB, siteId, earlier))].filter(([key]) => !rebuilt.has(key)));
    for (const [key, rows] of await archiveObjectRows(env.DB, siteId, lost)) objects.set(key, rows);
  }
  // A few objects at a time: a Worker has 6 simultaneous outgoing connections.
  const entries = [...objects];
  for (let i = 0; i < entries.length; i += ARCHIVE_PARALLEL) {
    await Promise.all(entries.slice(i, i + ARCHIVE_PARALLEL).map(([key, rows]) => archiveEvents(env.ARCHIVE, siteId, key, rows)));
  }
  // Only once written: a message whose rebuild failed must not let the next one skip it.
  for (const key of objects.keys()) rebuilt.add(key);
}

/**
 * A new archive object's key: time-ordered (base-36 milliseconds, so a partition lists oldest first), then random,
 * so no two transactions share one, whatever the queue redelivers.
 */
function newArchiveKey(): string {
  return `${Date.now().toString(36)}-${crypto.randomUUID()}`;
}

const ARCHIVE_PARALLEL = 6;

/**
 * Poison messages, after max_retries failed deliveries: each filed as JSON under dead-letter/<day>/<message id> in
 * the archive bucket (keyed by message id, so a redelivery overwrites), then acknowledged. Nothing is lost: an
 * operator can read them, fix the cause and send them to the ingest queue again.
 */
export async function fileDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (msg) => {
      const day = new Date(msg.timestamp).toISOString().slice(0, 10);
      // The body as data when it parses (readable, and re-sendable as it is), else the text it came as.
      const body = messageBody(msg.body) ?? msg.body;
      await env.ARCHIVE.put(deadLetterKey(day, msg.id), JSON.stringify({ id: msg.id, timestamp: msg.timestamp.getTime(), attempts: msg.attempts, body }), {
        httpMetadata: { contentType: "application/json" },
      });
      logConsumer("dead_letter", { messageId: msg.id, attempts: msg.attempts });
      msg.ack();
    }),
  );
}

/** Where a dead-lettered message is filed in the archive bucket. */
export function deadLetterKey(day: string, messageId: string): string {
  return `dead-letter/${day}/${messageId}.json`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function logConsumer(event: string, fields: Record<string, unknown>): void {
  console.error(JSON.stringify({ level: event === "dead_letter" ? "warn" : "error", job: "ingest-consumer", event, ...fields }));
}
