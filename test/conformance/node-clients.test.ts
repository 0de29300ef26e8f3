// The real Segment and RudderStack Node clients against the built Worker over HTTP: what they send must land in D1
// and in the live session as the mapping table says, and a batch whose answer was lost (500) and then retried must
// be stored once.
import { Analytics as SegmentAnalytics } from "@segment/analytics-node";
import RudderAnalytics from "@rudderstack/rudder-sdk-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createSite, LossyProxy, startHarness, type Harness, type TestSite } from "./worker";

let h: Harness;
let proxy: LossyProxy;

beforeAll(async () => {
  h = await startHarness(inject("workerScript"));
  proxy = new LossyProxy(h.url);
  await proxy.start();
});

afterAll(async () => {
  await proxy?.stop();
  await h?.stop();
});

type Row = { id: string; type: string; item_id: string | null; user_id: string | null; anonymous_id: string; session_id: string; properties: string | null };

/** In insertion order: the order of the batch, which is the order of the calls. */
async function rows(site: TestSite): Promise<Row[]> {
  const db = await h.mf.getD1Database("DB");
  const { results } = await db
    .prepare(`SELECT id, type, item_id, user_id, anonymous_id, session_id, properties FROM events WHERE site_id = ? ORDER BY rowid`)
    .bind(site.id)
    .all<Row>();
  return results;
}

async function serverGet<T>(site: TestSite, path: string): Promise<T> {
  const res = await fetch(`${h.url}${path}`, { headers: { "x-edgerec-key": site.serverKey } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type Snapshot = { path: { itemId: string; type: string }[] };
type Export = { linkedIds: { anonymousIds: string[]; userId: string | null }; events: { type: string; itemId: string | null; sessionId: string }[] };

/** The same journey for both clients: a page, a product view, a cart add, an identify and an order of two products. */
/** JSON-like properties, as both clients' types accept them. */
type Props = { [key: string]: string | number | boolean | null | Props | Props[] };

type Client = {
  page(anonymousId: string): void;
  track(anonymousId: string, event: string, properties: Props, userId?: string): void;
  identify(anonymousId: string, userId: string): void;
  flush(): Promise<void>;
};

async function journey(site: TestSite, client: Client, anon: string, user: string): Promise<void> {
  client.page(anon);
  client.track(anon, "Product Viewed", { product_id: "sku-1", price: 10 });
  client.track(anon, "Product Added", { product_id: "sku-1" });
  client.identify(anon, user);
  client.track(anon, "Order Completed", { order_id: "o-1", revenue: 30, products: [{ product_id: "sku-1", price: 10 }, { sku: "sku-2", price: 20 }] }, user);
  client.track(anon, "Newsletter Subscribed", { list: "weekly" }, user);
  await client.flush();

  // The Worker answers once the events are on its ingest queue; its consumer stores them moments later.
  await expect.poll(async () => (await rows(site)).length, { timeout: 15_000 }).toBe(7);
  const stored = await rows(site);
  expect(stored.map((r) => [r.type, r.item_id])).toEqual([
    ["view", null],
    ["view", "sku-1"],
    ["add_to_cart", "sku-1"],
    ["identify", null],
    ["purchase", "sku-1"],
    ["purchase", "sku-2"],
    ["custom", null],
  ]);
  expect(stored.every((r) => r.anonymous_id === anon)).toBe(true);
  // The server key is trusted with user ids.
  expect(stored.filter((r) => r.user_id === user).map((r) => r.type)).toEqual(["identify", "purchase", "purchase", "custom"]);
  expect(JSON.parse(stored.at(-1)!.properties!)).toMatchObject({ event: "Newsletter Subscribed", list: "weekly" });
  // One derived session; the live session object has the path of the path-extending events.
  const sessions = [...new Set(stored.map((r) => r.session_id))];
  expect(sessions).toHaveLength(1);
  const snapshot = await serverGet<Snapshot>(site, `/v1/sessions/${encodeURIComponent(sessions[0]!)}`);
  expect(snapshot.path.map((s) => [s.type, s.itemId])).toEqual([
    ["view", "sku-1"],
    ["add_to_cart", "sku-1"],
    ["purchase", "sku-1"],
    ["purchase", "sku-2"],
  ]);
  const exported = await serverGet<Export>(site, `/v1/users/${encodeURIComponent(user)}/export`);
  expect(exported.linkedIds).toEqual({ anonymousIds: [anon], userId: user });
  expect(exported.events).toHaveLength(7);
  const next = await serverGet<{ sessionId: string; pathLength: number }>(site, `/v1/sessions/${encodeURIComponent(sessions[0]!)}/next`);
  expect(next).toMatchObject({ sessionId: sessions[0], pathLength: 4 });
}

/** Sends one batch through a proxy that loses the first answer; the client retries, the Worker stores it once. */
async function retriedOnce(site: TestSite, client: Client, anon: string): Promise<void> {
  const before = proxy.seen.length;
  proxy.failNext = 1;
  client.track(anon, "Product Viewed", { product_id: "r-1" });
  client.track(anon, "Product Clicked", { product_id: "r-2" });
  await client.flush();
  const attempts = proxy.seen.slice(before);
  // The first request was stored by the Worker but answered 500; the client sent the same messages again.
  const failed = attempts.filter((a) => a.status === 500);
  expect(failed.map((a) => a.forwardedStatus)).toEqual([200]);
  const retry = attempts.slice(attempts.indexOf(failed[0]!) + 1).find((a) => a.messageIds.join() === failed[0]!.messageIds.join());
  expect(retry?.status).toBe(200);
  expect(failed[0]!.messageIds.length).toBeGreaterThan(0);
  await expect.poll(async () => (await rows(site)).length, { timeout: 15_000 }).toBe(2);
  const stored = await rows(site);
  expect(stored.map((r) => r.item_id)).toEqual(["r-1", "r-2"]);
  const snapshot = await serverGet<Snapshot>(site, `/v1/sessions/${encodeURIComponent(stored[0]!.session_id)}`);
  // Sorted: the two may have travelled in separate requests (RudderStack sends its first message at once), and
  // skew correction adds each request's own latency, so their times can swap by a millisecond.
  expect(snapshot.path.map((s) => s.itemId).sort()).toEqual(["r-1", "r-2"]);
}

function segmentClient(site: TestSite): Client {
  const analytics = new SegmentAnalytics({ writeKey: site.serverKey, host: proxy.url, path: "/v1/batch", flushAt: 50, flushInterval: 60_000, maxRetries: 3 });
  return {
    page: (anonymousId) => analytics.page({ anonymousId, name: "Home", properties: { url: "https://shop.example/" } }),
    track: (anonymousId, event, properties, userId) => analytics.track(userId ? { anonymousId, userId, event, properties } : { anonymousId, event, properties }),
    identify: (anonymousId, userId) => analytics.identify({ anonymousId, userId, traits: { plan: "pro" } }),
    flush: () => analytics.closeAndFlush({ timeout: 20_000 }),
  };
}

function rudderClient(site: TestSite): Client {
  const analytics = new RudderAnalytics(site.serverKey, { dataPlaneUrl: proxy.url, flushAt: 50, flushInterval: 60_000, logLevel: "error" });
  return {
    page: (anonymousId) => analytics.page({ anonymousId, name: "Home", properties: { url: "https://shop.example/" } }),
    track: (anonymousId, event, properties, userId) => analytics.track(userId ? { anonymousId, userId, event, properties } : { anonymousId, event, properties }),
    identify: (anonymousId, userId) => analytics.identify({ anonymousId, userId, traits: { plan: "pro" } }),
    flush: () => analytics.flush(),
  };
}

describe("@segment/analytics-node against the Worker", () => {
  it("track, page, identify and Order Completed land in D1 and in the live session", async () => {
    const site = await createSite(h.url);
    await journey(site, segmentClient(site), "seg-anon-1", "seg-user-1");
    // The client authenticated as Segment does: Basic base64(writeKey:).
    expect(proxy.seen.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from(`${site.serverKey}:`).toString("base64")}`);
  });

  it("retries after a lost answer (500), and the retry is deduplicated by messageId", async () => {
    const site = await createSite(h.url);
    await retriedOnce(site, segmentClient(site), "seg-anon-2");
  });
});

describe("@rudderstack/rudder-sdk-node against the Worker", () => {
  it("track, page, identify and Order Completed land in D1 and in the live session (gzip bodies)", async () => {
    const site = await createSite(h.url);
    await journey(site, rudderClient(site), "rs-anon-1", "rs-user-1");
    expect(proxy.seen.at(-1)!.headers["content-encoding"]).toBe("gzip");
  });

  it("retries after a lost answer (500), and the retry is deduplicated by messageId", async () => {
    const site = await createSite(h.url);
    await retriedOnce(site, rudderClient(site), "rs-anon-2");
  });
});
