// The raw event archive in R2 (issue 11 part 2): each stored event archived once whatever the queue redelivers,
// scratch retrains from the archive equal those from D1, and retention keeps D1's raw window short.
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { INGEST_QUEUE } from "../../src/config/queues";
import { ingestMessages } from "../../src/ingest/queue-messages";
import worker from "../../src/index";
import { encodeStats } from "../../src/models/stats-codec";
import { DEFAULT_MODEL_CONFIG, SessionModelTrainer } from "../../src/recommend/trainer";
import { RETENTION_CRON } from "../../src/scheduled";
import type { QueuedEvent } from "../../src/schemas/ingest-queue";
import { archiveObjectKey, forEachArchivedEvent, type ArchivedEvent } from "../../src/storage/event-archive";
import { forEachSession, forEachTrainingSession } from "../../src/storage/training-repo";
import { createSite, event, postEvents, serverHeaders, type TestSite } from "./helpers";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function archived(siteId: string, beforeTs = Date.now() + DAY): Promise<ArchivedEvent[]> {
  const out: ArchivedEvent[] = [];
  await forEachArchivedEvent(env.ARCHIVE, siteId, beforeTs, (e) => out.push(e));
  return out;
}

async function archiveKeys(siteId: string): Promise<string[]> {
  return (await env.ARCHIVE.list({ prefix: `events/${siteId}/` })).objects.map((o) => o.key).sort();
}

function delivery(site: TestSite, id: string, events: Record<string, unknown>[], attempts = 1) {
  // The cast: the builders make valid events (the consumer's schema checks them again).
  return ingestMessages(site.id, Date.now(), events as QueuedEvent[]).map((m) => ({ id, timestamp: new Date(), attempts, body: m.body }));
}

async function consume(messages: ReturnType<typeof delivery>, on: Env = env) {
  const batch = createMessageBatch<unknown>(INGEST_QUEUE, messages);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, on, ctx);
  return getQueueResult(batch, ctx);
}

/** An R2 binding whose puts fail (an outage between D1's commit and the archive write). */
function failingPuts(): R2Bucket {
  return new Proxy(env.ARCHIVE, {
    get(target, prop) {
      if (prop === "put") return async () => Promise.reject(new Error("R2 unavailable"));
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("the raw event archive", () => {
  it("holds each stored event once, by site and hour, whatever the queue and the clients repeat", async () => {
    const site = await createSite();
    const now = Date.now();
    const a = [event({ ts: now - 2 * HOUR, itemId: "x" }), event({ ts: now - 60_000, itemId: "y" })];
    const b = [event({ ts: now - 30_000, itemId: "z" })];
    // Through the API and the real queue, then the same batch again (a client retry).
    expect((await postEvents(site, a)).status).toBe(200);
    expect((await postEvents(site, a)).status).toBe(200);
    // Driven directly: a message, its redelivery, and another message carrying one of its events again.
    expect((await consume(delivery(site, "m-b", b))).explicitAcks).toEqual(["m-b"]);
    expect((await consume(delivery(site, "m-b", b, 2))).explicitAcks).toEqual(["m-b"]);
    expect((await consume(delivery(site, "m-b2", [...b, event({ ts: now - 10_000 })]))).explicitAcks).toEqual(["m-b2"]);

    const stored = (await env.DB.prepare("SELECT id FROM events WHERE site_id = ?").bind(site.id).all<{ id: string }>()).results.map((r) => r.id);
    const inArchive = (await archived(site.id)).map((e) => e.id);
    expect(inArchive.length).toBe(new Set(inArchive).size);
    expect(inArchive.sort()).toEqual(stored.sort());
    expect(stored).toHaveLength(4);
    // Partitioned by the event's hour: a's two events are in two objects of one transaction.
    const keys = await archiveKeys(site.id);
    expect(keys.every((k) => /^events\/s-[0-9a-f]{8}\/\d{4}-\d{2}-\d{2}\/\d{2}\/[^/]+\.ndjson\.gz$/.test(k))).toBe(true);
    const row = await env.DB.prepare("SELECT archive_key FROM events WHERE site_id = ? AND id = ?").bind(site.id, b[0]!.id).first<{ archive_key: string }>();
    expect(keys).toContain(archiveObjectKey(site.id, b[0]!.ts as number, row!.archive_key));
    // An archived event is the stored row.
    expect((await archived(site.id)).find((e) => e.id === a[1]!.id)).toMatchObject({ id: a[1]!.id, type: "view", itemId: "y", anonymousId: "anon-1", sessionId: "sess-1", profileId: "a:anon-1", ts: a[1]!.ts });
  });

  it("archives a message's events when a redelivery follows a failed archive write", async () => {
    const site = await createSite();
    const events = [event({ anonymousId: "r2-1" }), event({ anonymousId: "r2-1", itemId: "sku-2" })];
    const failed = await consume(delivery(site, "m-late", events), { ...env, ARCHIVE: failingPuts() });
    expect(failed.retryMessages.map((m) => m.msgId)).toEqual(["m-late"]);
    // D1 committed; the archive has nothing yet, and the message is retried.
    expect(await archived(site.id)).toEqual([]);
    expect((await consume(delivery(site, "m-late", events, 2))).explicitAcks).toEqual(["m-late"]);
    expect((await archived(site.id)).map((e) => e.id).sort()).toEqual(events.map((e) => e.id as string).sort());
    const profile = await env.DB.prepare("SELECT event_count FROM profiles WHERE site_id = ?").bind(site.id).first<{ event_count: number }>();
    expect(profile!.event_count).toBe(2);
  });

  it("writes one object per transaction and partition, not per message, and rebuilds it whole when its messages come back apart", async () => {
    const site = await createSite();
    const now = Date.now();
    // Three browser batches (three messages) of two visitors, in one hour partition and one delivery.
    const batches = [0, 1, 2].map((i) => [event({ anonymousId: `g-${i % 2}`, sessionId: `gs-${i}`, ts: now - 60_000 + i }), event({ anonymousId: `g-${i % 2}`, sessionId: `gs-${i}`, ts: now - 50_000 + i, itemId: "sku-2" })]);
    const messages = batches.map((b, i) => delivery(site, `m-g${i}`, b)[0]!);
    // D1 commits the group's transaction, then the archive write fails: every message is retried.
    const failed = await consume(messages, { ...env, ARCHIVE: failingPuts() });
    expect(failed.retryMessages.map((m) => m.msgId).sort()).toEqual(["m-g0", "m-g1", "m-g2"]);
    expect(await archived(site.id)).toEqual([]);
    // They come back in two deliveries, one with a new message beside them: the first rebuilds the lost object with
    // all six rows (other messages' included), the second rewrites the same key with the same rows.
    const extra = event({ anonymousId: "g-9", sessionId: "gs-9", ts: now - 40_000 });
    const first = await consume([{ ...messages[1]!, attempts: 2 }, delivery(site, "m-g3", [extra])[0]!]);
    expect(first.explicitAcks.sort()).toEqual(["m-g1", "m-g3"]);
    expect((await archived(site.id)).map((e) => e.id).sort()).toEqual([...batches.flat(), extra].map((e) => e.id as string).sort());
    expect((await consume([{ ...messages[0]!, attempts: 2 }, { ...messages[2]!, attempts: 3 }])).explicitAcks.sort()).toEqual(["m-g0", "m-g2"]);
    const ids = (await archived(site.id)).map((e) => e.id);
    expect(ids.sort()).toEqual([...batches.flat(), extra].map((e) => e.id as string).sort());
    // Two objects: the first transaction's (rebuilt) and the one that inserted the new message's event.
    expect(await archiveKeys(site.id)).toHaveLength(2);
    const profile = await env.DB.prepare("SELECT SUM(event_count) AS n FROM profiles WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(profile!.n).toBe(7);
  });

  it("gives a scratch retrain from the archive the statistics of one from D1, also once D1 dropped the rows", async () => {
    const site = await createSite();
    const base = Date.now() - 5 * HOUR;
    const events: Record<string, unknown>[] = [];
    // 12 sessions over several hours, some crossing an hour boundary, with non-path and item-less events mixed in.
    for (let s = 0; s < 12; s++) {
      for (let i = 0; i < 6; i++) {
        const ts = base + s * 20 * 60_000 + i * 4 * 60_000;
        events.push(event({ anonymousId: `t-${s % 5}`, sessionId: `sess-${s}`, itemId: `item-${(s * 3 + i * 7) % 11}`, ts, type: i === 5 ? "add_to_cart" : "view" }));
      }
      events.push(event({ anonymousId: `t-${s % 5}`, sessionId: `sess-${s}`, type: "search", itemId: undefined, ts: base + s * 20 * 60_000 + 1 }));
      events.push(event({ anonymousId: `t-${s % 5}`, sessionId: `sess-${s}`, type: "impression", itemId: "item-0", ts: base + s * 20 * 60_000 + 2 }));
    }
    // The server key: a backend's batch may mix sessions (a browser's is capped to a few).
    const res = await postEvents(site, events, { headers: serverHeaders(site) });
    expect((await res.json<{ accepted: string[] }>()).accepted).toHaveLength(events.length);
    const before = Date.now();

    const train = async (source: (push: (items: string[]) => void) => Promise<unknown>) => {
      const trainer = new SessionModelTrainer(DEFAULT_MODEL_CONFIG);
      const sessions: string[][] = [];
      await source((items) => {
        sessions.push(items);
        trainer.pushSession(items);
      });
      return { sessions, stats: [...encodeStats(trainer.stats())], model: trainer.build() };
    };
    const fromD1 = await train((push) => forEachSession(env.DB, site.id, before, push));
    // Every hour from the archive (as if all of them were older than D1's raw window).
    const archiveOnly = (push: (items: string[]) => void) => forEachTrainingSession(env, site.id, before, push, undefined, { d1Since: Infinity });
    const fromArchive = await train(archiveOnly);
    expect(fromD1.sessions).toHaveLength(12);
    expect(fromArchive).toEqual(fromD1);
    // Split between the two at an hour boundary inside the sessions, and as the retrain reads them (D1's window).
    const split = Math.ceil((base + 2 * HOUR) / HOUR) * HOUR;
    expect(await train((push) => forEachTrainingSession(env, site.id, before, push, undefined, { d1Since: split }))).toEqual(fromD1);
    expect(await train((push) => forEachTrainingSession(env, site.id, before, push))).toEqual(fromD1);

    // Once D1 dropped the rows (retention), the archive alone still trains the same model.
    await env.DB.prepare("DELETE FROM events WHERE site_id = ?").bind(site.id).run();
    expect(await train(archiveOnly)).toEqual(fromD1);
  });

  it("erases a visitor's archived events with the rest of their data, leaving other visitors' events", async () => {
    const site = await createSite();
    const now = Date.now();
    const mine = [event({ anonymousId: "gone-1", sessionId: "g", ts: now - 3 * HOUR }), event({ anonymousId: "gone-1", sessionId: "g", ts: now - 60_000 })];
    const theirs = [event({ anonymousId: "stays-1", sessionId: "h", ts: now - 3 * HOUR }), event({ anonymousId: "stays-1", sessionId: "h", ts: now - 30_000 })];
    const res = await postEvents(site, [...mine, ...theirs], { headers: serverHeaders(site) });
    expect((await res.json<{ accepted: string[] }>()).accepted).toHaveLength(4);
    expect(await archived(site.id)).toHaveLength(4);

    const erased = await exports.default.fetch(`https://edgerec.test/v1/users/gone-1`, { method: "DELETE", headers: serverHeaders(site) });
    expect(erased.status).toBe(200);
    const receipt = await erased.json<{ status: string; erased: { events: number; archivedEvents: number } }>();
    expect(receipt).toMatchObject({ status: "done", erased: { events: 2, archivedEvents: 2 } });
    expect((await archived(site.id)).map((e) => e.id).sort()).toEqual(theirs.map((e) => e.id as string).sort());
    // The object that held only the erased visitor's events is gone, not left empty.
    for (const key of await archiveKeys(site.id)) expect((await env.ARCHIVE.head(key))?.customMetadata?.events).not.toBe("0");
  });

  it("keeps D1's raw window short and the archive for EVENT_RETENTION_DAYS", async () => {
    const site = await createSite();
    const now = Date.now();
    const recent = event({ ts: now - 60_000 });
    const older = event({ ts: now - 20 * DAY, itemId: "old" });
    expect((await postEvents(site, [recent, older])).status).toBe(200);
    // A row stored before the archive existed (no archive_key): D1 is its only copy, kept for the full retention.
    const legacy = event({ ts: now - 40 * DAY });
    await env.DB.prepare(
      `INSERT INTO events (site_id, id, type, anonymous_id, session_id, item_id, profile_id, ts, received_at) VALUES (?1, ?2, 'view', 'anon-1', 'sess-1', 'l', 'a:anon-1', ?3, ?3)`,
    )
      .bind(site.id, legacy.id, legacy.ts)
      .run();

    // 15 days on: `older` (35 days old) leaves D1 (window 30 days) but stays archived; the legacy row stays.
    await retention(now + 15 * DAY);
    expect(await d1Ids(site.id)).toEqual([legacy.id, recent.id].sort());
    expect((await archived(site.id)).map((e) => e.id).sort()).toEqual([older.id, recent.id].sort());
    // 80 days on: `older` is past EVENT_RETENTION_DAYS (90) in the archive too, as is the legacy row in D1.
    await retention(now + 80 * DAY);
    expect(await d1Ids(site.id)).toEqual([]);
    expect((await archived(site.id, now + 100 * DAY)).map((e) => e.id)).toEqual([recent.id]);
  });
});

async function retention(at: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: new Date(at), cron: RETENTION_CRON }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function d1Ids(siteId: string): Promise<string[]> {
  return (await env.DB.prepare("SELECT id FROM events WHERE site_id = ? ORDER BY id").bind(siteId).all<{ id: string }>()).results.map((r) => r.id).sort();
}
