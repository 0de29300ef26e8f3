import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_PERIOD_SECONDS, SEGMENT_MAX_BATCH_BYTES, SEGMENT_MAX_BATCH_MESSAGES, SEGMENT_MAX_MESSAGE_BYTES } from "../../src/config/limits";
import { messageEventId } from "../../src/ingest/segment-map";
import type { SegmentResult } from "../../src/schemas/segment";
import type { SessionSnapshot } from "../../src/session/types";
import { TEST_RATE_LIMITS } from "./rate-limits";
import { ADMIN, BASE, createSite, get, serverHeaders, userHash, siteByKey, waitForSegmentIngest, type ErrorJson, type TestSite } from "./helpers";

const basic = (key: string) => ({ authorization: `Basic ${btoa(`${key}:`)}` });

/** The site a Segment request names: Basic auth's user name, else the body's writeKey. */
function siteOf(headers: Record<string, string>, body: unknown): string {
  const auth = headers.authorization?.startsWith("Basic ") ? atob(headers.authorization.slice(6)).split(":")[0] : undefined;
  const parsed = typeof body === "string" ? (JSON.parse(body) as { writeKey?: string }) : (body as { writeKey?: string });
  const site = siteByKey.get(auth ?? parsed?.writeKey ?? "");
  if (!site) throw new Error("segment test: request names no test site");
  return site;
}

/** Posts to a Segment route; on a 200, waits until the consumer has stored the accepted messages (site from the key). */
async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const res = await exports.default.fetch(`${BASE}/v1/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  if (res.status === 200) await waitForSegmentIngest(siteOf(headers, body), await res.clone().json());
  return res;
}

function batch(site: TestSite, messages: unknown[], key = site.serverKey, extra: Record<string, unknown> = {}): Promise<Response> {
  return post("batch", { batch: messages, sentAt: new Date().toISOString(), ...extra }, basic(key));
}

/** A Segment message as analytics-node builds one. */
function msg(fields: Record<string, unknown>): Record<string, unknown> {
  return { messageId: `node-next-${Date.now()}-${crypto.randomUUID()}`, anonymousId: "anon-1", timestamp: new Date().toISOString(), context: { library: { name: "test" } }, integrations: {}, ...fields };
}

type Row = { id: string; type: string; item_id: string | null; user_id: string | null; session_id: string; anonymous_id: string; ts: number; properties: string | null };

async function rows(site: TestSite): Promise<Row[]> {
  const { results } = await env.DB.prepare(`SELECT id, type, item_id, user_id, session_id, anonymous_id, ts, properties FROM events WHERE site_id = ? ORDER BY ts, item_id`)
    .bind(site.id)
    .all<Row>();
  return results;
}

describe("POST /v1/batch", () => {
  it("maps the e-commerce spec into events of one derived session, with ids from messageId, and feeds the live session", async () => {
    const site = await createSite();
    const t = Date.now() - 60_000;
    const at = (i: number) => new Date(t + i * 1000).toISOString();
    const messages = [
      msg({ type: "page", name: "Home", timestamp: at(0), context: { page: { url: "https://shop.example/", title: "Home" } } }),
      msg({ type: "track", event: "Product Viewed", timestamp: at(1), properties: { product_id: "sku-1", price: 10, nested: { dropped: true } } }),
      msg({ type: "track", event: "Product Added", timestamp: at(2), properties: { sku: "sku-2" } }),
      msg({ type: "track", event: "Order Completed", timestamp: at(3), properties: { order_id: "o-1", revenue: 30, products: [{ product_id: "sku-1", price: 10 }, { product_id: 42, quantity: 2 }] } }),
      msg({ type: "track", event: "Signed Up", timestamp: at(4), properties: { plan: "pro" } }),
    ];
    const res = await batch(site, messages);
    expect(res.status).toBe(200);
    const body = await res.json<SegmentResult>();
    expect(body).toMatchObject({ success: true, accepted: messages.map((m) => m.messageId), rejected: [] });

    const stored = await rows(site);
    expect(stored.map((r) => [r.type, r.item_id])).toEqual([
      ["view", null],
      ["view", "sku-1"],
      ["add_to_cart", "sku-2"],
      ["purchase", "42"],
      ["purchase", "sku-1"],
      ["custom", null],
    ]);
    expect(stored.find((r) => r.type === "view" && r.item_id === "sku-1")!.id).toBe(await messageEventId(site.id, messages[1]!.messageId as string));
    expect(JSON.parse(stored.find((r) => r.type === "custom")!.properties!)).toEqual({ event: "Signed Up", plan: "pro" });
    expect(JSON.parse(stored.find((r) => r.item_id === "42")!.properties!)).toMatchObject({ event: "Order Completed", order_id: "o-1", revenue: 30, quantity: 2 });
    expect(JSON.parse(stored[1]!.properties!)).toEqual({ event: "Product Viewed", product_id: "sku-1", price: 10 });
    // One derived session for the visitor; the answer names it, and the live session holds the path.
    const sessions = new Set(stored.map((r) => r.session_id));
    expect(sessions.size).toBe(1);
    const sessionId = [...sessions][0]!;
    expect(body.sessions).toEqual({ "anon-1": sessionId });
    const snap = await get(`/v1/sessions/${sessionId}`, serverHeaders(site));
    expect(snap.status).toBe(200);
    expect((await snap.json<SessionSnapshot>()).path.map((s) => [s.type, s.itemId])).toEqual([
      ["view", "sku-1"],
      ["add_to_cart", "sku-2"],
      ["purchase", "sku-1"],
      ["purchase", "42"],
    ]);
    // Custom events stay out of the model's tables.
    const { results } = await env.DB.prepare(`SELECT item_id FROM profile_items WHERE site_id = ? ORDER BY item_id`).bind(site.id).all<{ item_id: string }>();
    expect(results.map((r) => r.item_id)).toEqual(["42", "sku-1", "sku-2"]);
  });

  it("stores a retried batch once (dedup by messageId), in the same session", async () => {
    const site = await createSite();
    const messages = [msg({ type: "track", event: "Product Viewed", properties: { product_id: "a" } }), msg({ type: "track", event: "Product Clicked", properties: { product_id: "b" } })];
    const first = await (await batch(site, messages)).json<SegmentResult>();
    const again = await batch(site, messages);
    expect(again.status).toBe(200);
    // The retry is answered as duplicates of the messages the first request accepted.
    expect(first.accepted).toEqual(messages.map((m) => m.messageId));
    expect(await again.json<SegmentResult>()).toMatchObject({ accepted: [], duplicates: first.accepted });
    expect((await rows(site)).length).toBe(2);
    const snap = await (await get(`/v1/sessions/${first.sessions!["anon-1"]}`, serverHeaders(site))).json<SessionSnapshot>();
    expect(snap.path.map((s) => s.itemId)).toEqual(["a", "b"]);
  });

  it("corrects the client clock from sentAt, as Segment does", async () => {
    const site = await createSite();
    const hourAgo = Date.now() - 3_600_000;
    // The device clock is an hour slow: it stamped the event and the send with its own time.
    const res = await post("batch", { batch: [msg({ type: "track", event: "Product Viewed", properties: { product_id: "a" }, timestamp: new Date(hourAgo - 5000).toISOString() })], sentAt: new Date(hourAgo).toISOString() }, basic(site.serverKey));
    expect(res.status).toBe(200);
    const [row] = await rows(site);
    expect(Math.abs(row!.ts - (Date.now() - 5000))).toBeLessThan(3000);
  });

  it("starts a new derived session after the idle gap, and uses context.sessionId when sent", async () => {
    const site = await createSite();
    const t = Date.now() - 3 * 3_600_000;
    const view = (anonymousId: string, at: number, item: string, context: Record<string, unknown> = {}) =>
      msg({ type: "track", event: "Product Viewed", anonymousId, timestamp: new Date(at).toISOString(), properties: { product_id: item }, context });
    await batch(site, [view("v1", t, "a"), view("v1", t + 10 * 60_000, "b")]);
    // A later batch continues the session within the gap, and starts another past it (31 minutes later).
    await batch(site, [view("v1", t + 20 * 60_000, "c")]);
    await batch(site, [view("v1", t + 51 * 60_000, "d"), view("v1", t + 100 * 60_000, "e"), view("rs", t, "f", { sessionId: "rudder-session-1" })]);
    const stored = await rows(site);
    const sessionOf = (item: string) => stored.find((r) => r.item_id === item)!.session_id;
    expect(sessionOf("b")).toBe(sessionOf("a"));
    expect(sessionOf("c")).toBe(sessionOf("a"));
    expect(sessionOf("d")).not.toBe(sessionOf("c"));
    expect(sessionOf("e")).not.toBe(sessionOf("d"));
    expect(sessionOf("f")).toBe("rudder-session-1");
    const row = await env.DB.prepare(`SELECT session_id FROM derived_sessions WHERE site_id = ? AND anonymous_id = 'v1'`).bind(site.id).first<{ session_id: string }>();
    expect(row!.session_id).toBe(sessionOf("e"));
    // A RudderStack numeric session id (a start time shared by many visitors) is scoped by the visitor.
    await batch(site, [view("x1", t, "g", { sessionId: 1733050000000 }), view("x2", t, "h", { sessionId: 1733050000000 })]);
    const later = await rows(site);
    const g = later.find((r) => r.item_id === "g")!.session_id;
    expect(g).toMatch(/^rs-[0-9a-f]{16}-1733050000000$/);
    expect(g).not.toBe(later.find((r) => r.item_id === "h")!.session_id);
  });

  it("gives concurrent first batches of one visitor the same derived session (one D1 upsert decides)", async () => {
    const site = await createSite();
    const view = (item: string) => msg({ type: "track", event: "Product Viewed", anonymousId: "racer", properties: { product_id: item } });
    const answers = await Promise.all(["a", "b", "c", "d"].map(async (item) => (await batch(site, [view(item)])).json<SegmentResult>()));
    const sessions = new Set(answers.map((a) => a.sessions!.racer));
    expect(sessions.size).toBe(1);
    expect(new Set((await rows(site)).map((r) => r.session_id))).toEqual(sessions);
    const snap = await (await get(`/v1/sessions/${[...sessions][0]}`, serverHeaders(site))).json<SessionSnapshot>();
    expect(snap.path.map((s) => s.itemId).sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("trusts userId from the server key; the public key needs the identity proof (context.userHash)", async () => {
    const site = await createSite(["*"]);
    await batch(site, [msg({ type: "identify", anonymousId: "srv", userId: "user-1", traits: { email: "never@stored.example" } })]);
    const unproven = await batch(site, [msg({ type: "identify", anonymousId: "pub", userId: "user-2" })], site.key);
    const unprovenBody = await unproven.json<SegmentResult>();
    expect(unprovenBody.warnings?.[0]).toMatchObject({ index: 0, field: "userId", code: "unverified_user_id" });
    await batch(site, [msg({ type: "track", event: "Product Viewed", anonymousId: "pub2", userId: "user-3", properties: { product_id: "p" }, context: { userHash: await userHash(site, "user-3") } })], site.key);
    const byAnon = new Map((await rows(site)).map((r) => [r.anonymous_id, r]));
    expect(byAnon.get("srv")).toMatchObject({ type: "identify", user_id: "user-1" });
    expect(byAnon.get("pub")).toMatchObject({ user_id: null });
    expect(byAnon.get("pub2")).toMatchObject({ user_id: "user-3" });
    expect(JSON.stringify(await rows(site))).not.toContain("never@stored");
    // The server key's user id reached identities and the user's profile.
    const link = await env.DB.prepare(`SELECT profile_id FROM identities WHERE site_id = ? AND kind = 'user' AND external_id = 'user-1'`).bind(site.id).first();
    expect(link).not.toBeNull();
  });

  it("keys a message with only a userId by that user, and accepts writeKey in the body", async () => {
    const site = await createSite();
    const res = await post("batch", { batch: [msg({ type: "track", event: "Product Viewed", anonymousId: undefined, userId: "only-user", properties: { product_id: "a" } })], writeKey: site.serverKey });
    expect(res.status).toBe(200);
    expect((await rows(site))[0]).toMatchObject({ anonymous_id: "user:only-user", user_id: "only-user" });
  });

  it("rejects each bad message naming its Segment field, and stores the valid rest", async () => {
    const site = await createSite();
    const cases: [Record<string, unknown>, string][] = [
      [msg({ type: "teleport" }), "type"],
      [msg({ type: "track" }), "event"],
      [msg({ type: "track", event: "Product Clicked" }), "properties.product_id"],
      [msg({ type: "track", event: "Product Viewed", properties: { product_id: "x".repeat(200) } }), "properties.product_id"],
      [msg({ type: "track", event: "Order Completed", properties: { products: [{ name: "no id" }] } }), "properties.products[0].product_id"],
      [msg({ type: "track", event: "Hi", timestamp: "yesterday" }), "timestamp"],
      [msg({ type: "track", event: "Hi", timestamp: new Date(Date.now() + 3_600_000).toISOString(), sentAt: undefined }), "timestamp"],
      [msg({ type: "track", event: "Hi", anonymousId: undefined }), "anonymousId"],
      [msg({ type: "track", event: "Hi", messageId: "m".repeat(300) }), "messageId"],
      [msg({ type: "page", context: { page: { url: "u".repeat(3000) } } }), "context.page.url"],
      [msg({ type: "track", event: "Hi", properties: { big: "x".repeat(SEGMENT_MAX_MESSAGE_BYTES) } }), "(message)"],
      [msg({ type: "alias", previousId: "old" }), "userId"],
    ];
    const good = msg({ type: "track", event: "Product Viewed", properties: { product_id: "ok" } });
    // No batch-level sentAt, so the future timestamp is not skew-corrected away.
    const res = await post("batch", { batch: [...cases.map(([m]) => m), good] }, basic(site.serverKey));
    expect(res.status).toBe(200);
    const body = await res.json<SegmentResult>();
    expect(body.accepted).toEqual([good.messageId]);
    expect(body.rejected.map((r) => [r.index, r.field])).toEqual(cases.map(([, field], i) => [i, field]));
    expect(body.rejected[1]!.messageId).toBe(cases[1]![0].messageId);
    expect((await rows(site)).map((r) => r.item_id)).toEqual(["ok"]);
  });

  it("answers 400 naming the field when no message is valid, and for malformed bodies; stores nothing", async () => {
    const site = await createSite();
    const none = await batch(site, [msg({ type: "track", event: "Product Added" })]);
    expect(none.status).toBe(400);
    expect((await none.json<ErrorJson>()).error).toMatchObject({ code: "no_valid_messages", issues: [{ path: "batch[0].properties.product_id" }] });
    const bad = await post("batch", "{ nope", basic(site.serverKey));
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.code).toBe("malformed_json");
    const notArray = await post("batch", { batch: {} }, basic(site.serverKey));
    expect(notArray.status).toBe(400);
    expect((await notArray.json<ErrorJson>()).error.issues?.[0]?.path).toBe("batch");
    const badSentAt = await post("batch", { batch: [msg({ type: "page" })], sentAt: "now" }, basic(site.serverKey));
    expect((await badSentAt.json<ErrorJson>()).error.issues?.[0]?.path).toBe("sentAt");
    expect(await rows(site)).toEqual([]);
  });

  it("answers 413 past 500 KB per batch and 32 KB per single call", async () => {
    const site = await createSite();
    const big = await post("batch", { batch: [msg({ type: "page", properties: { pad: "x".repeat(SEGMENT_MAX_BATCH_BYTES) } })] }, basic(site.serverKey));
    expect(big.status).toBe(413);
    const one = await post("track", msg({ event: "Hi", properties: { pad: "x".repeat(SEGMENT_MAX_MESSAGE_BYTES) } }), basic(site.serverKey));
    expect(one.status).toBe(413);
    const many = await post("batch", { batch: Array.from({ length: SEGMENT_MAX_BATCH_MESSAGES + 1 }, () => ({ type: "page", anonymousId: "a" })) }, basic(site.serverKey));
    expect(many.status).toBe(413);
    expect((await many.json<ErrorJson>()).error).toMatchObject({ code: "too_many_messages", issues: [{ path: "batch" }] });
    expect(await rows(site)).toEqual([]);
  });

  it("answers 401 without a key, for an unknown key and for a bearer token", async () => {
    const site = await createSite();
    const m = [msg({ type: "page" })];
    const missing = await post("batch", { batch: m });
    expect(missing.status).toBe(401);
    expect((await missing.json<ErrorJson>()).error.code).toBe("missing_key");
    expect((await post("batch", { batch: m }, basic("pk_unknown"))).status).toBe(401);
    expect((await post("batch", { batch: m }, { authorization: `Bearer ${site.serverKey}` })).status).toBe(401);
    expect((await post("batch", { batch: m }, { authorization: "Basic %%%" })).status).toBe(401);
    expect(await rows(site)).toEqual([]);
  });

  it("refuses a browser origin the site does not allow", async () => {
    const site = await createSite();
    const res = await post("batch", { batch: [msg({ type: "page" })] }, { ...basic(site.key), origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("answers 429 with Retry-After when the server key's budget is spent", async () => {
    const site = await createSite();
    let refused: Response | undefined;
    for (let i = 0; i < 2 * TEST_RATE_LIMITS.server + 1 && !refused; i++) {
      const res = await post("batch", "{ not json", basic(site.serverKey));
      if (res.status === 429) refused = res;
      else await res.body?.cancel();
    }
    expect(refused?.status).toBe(429);
    expect(refused!.headers.get("retry-after")).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
  });

  it("reads gzip bodies (RudderStack's default) and any content type", async () => {
    const site = await createSite();
    const json = JSON.stringify({ batch: [msg({ type: "track", event: "Product Viewed", properties: { product_id: "gz" } })] });
    const gz = await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    const res = await exports.default.fetch(`${BASE}/v1/batch`, { method: "POST", headers: { ...basic(site.serverKey), "content-type": "application/octet-stream", "content-encoding": "gzip" }, body: gz });
    expect(res.status).toBe(200);
    await waitForSegmentIngest(site.id, await res.json());
    expect((await rows(site)).map((r) => r.item_id)).toEqual(["gz"]);
    const corrupt = await exports.default.fetch(`${BASE}/v1/batch`, { method: "POST", headers: { ...basic(site.serverKey), "content-encoding": "gzip" }, body: "not gzip" });
    expect(corrupt.status).toBe(400);
  });

  it("stores nothing, not even a derived session, for a visitor who declined analytics", async () => {
    const site = await createSite();
    await exports.default.fetch(`${BASE}/v1/consent?key=${site.key}`, { method: "POST", headers: { origin: site.origin }, body: JSON.stringify({ anonymousId: "shy", analytics: false, personalization: false }) });
    const m = msg({ type: "track", event: "Product Viewed", anonymousId: "shy", properties: { product_id: "a" } });
    const res = await batch(site, [m]);
    expect((await res.json<SegmentResult>()).ignored).toEqual([m.messageId]);
    expect(await rows(site)).toEqual([]);
    expect(await env.DB.prepare(`SELECT COUNT(*) AS n FROM derived_sessions WHERE site_id = ?`).bind(site.id).first("n")).toBe(0);
  });

  it("erasure removes the visitor's derived session row", async () => {
    const site = await createSite();
    await batch(site, [msg({ type: "track", event: "Product Viewed", anonymousId: "gone", properties: { product_id: "a" } })]);
    expect(await env.DB.prepare(`SELECT COUNT(*) AS n FROM derived_sessions WHERE site_id = ?`).bind(site.id).first("n")).toBe(1);
    const res = await exports.default.fetch(`${BASE}/v1/users/me/forget?key=${site.key}`, { method: "POST", headers: { origin: site.origin }, body: JSON.stringify({ anonymousId: "gone" }) });
    expect(res.status).toBe(200);
    expect(await env.DB.prepare(`SELECT COUNT(*) AS n FROM derived_sessions WHERE site_id = ?`).bind(site.id).first("n")).toBe(0);
  });
});

describe("POST /v1/track, /v1/page, /v1/screen, /v1/identify, /v1/alias", () => {
  it("takes one message each, the call named by the path", async () => {
    const site = await createSite();
    const h = basic(site.serverKey);
    const t = Date.now() - 10_000;
    const at = (i: number) => new Date(t + i).toISOString();
    expect((await post("track", msg({ event: "Product Shared", properties: { product_id: "s" }, timestamp: at(0) }), h)).status).toBe(200);
    expect((await post("page", msg({ name: "Cart", timestamp: at(1) }), h)).status).toBe(200);
    expect((await post("screen", msg({ name: "Home", timestamp: at(2) }), h)).status).toBe(200);
    expect((await post("identify", msg({ userId: "u-9", timestamp: at(3) }), h)).status).toBe(200);
    expect((await post("alias", { previousId: "anon-legacy", userId: "u-9", timestamp: at(4), messageId: "alias-1" }, h)).status).toBe(200);
    expect((await post("track", { ...msg({ event: "Product Added to Wishlist", properties: { product_id: "w" }, timestamp: at(5) }), writeKey: site.serverKey })).status).toBe(200);
    const stored = await rows(site);
    expect(stored.map((r) => [r.type, r.item_id, r.anonymous_id])).toEqual([
      ["share", "s", "anon-1"],
      ["view", null, "anon-1"],
      ["view", null, "anon-1"],
      ["identify", null, "anon-1"],
      ["identify", null, "anon-legacy"],
      ["like", "w", "anon-1"],
    ]);
    // analytics.js's short paths, and its nulls for what it does not know yet.
    expect((await post("t", { ...msg({ event: "Product Viewed", properties: { product_id: "short" }, timestamp: at(6) }), userId: null, context: { page: { referrer: null } } }, h)).status).toBe(200);
    expect((await post("b", { batch: [msg({ type: "page", timestamp: at(7), userId: null, previousId: null })] }, h)).status).toBe(200);
    expect((await rows(site)).slice(-2).map((r) => [r.type, r.item_id, r.user_id])).toEqual([
      ["view", "short", null],
      ["view", null, null],
    ]);
    const wrong = await post("page", msg({ type: "track", event: "x" }), h);
    expect(wrong.status).toBe(400);
    expect((await wrong.json<ErrorJson>()).error.issues?.[0]?.path).toBe("type");
    const invalid = await post("track", msg({}), h);
    expect(invalid.status).toBe(400);
    expect((await invalid.json<ErrorJson>()).error.issues?.[0]?.path).toBe("event");
  });
});

describe("Segment routes and the admin token", () => {
  it("the admin token is not a Segment credential", async () => {
    expect((await post("batch", { batch: [msg({ type: "page" })] }, ADMIN)).status).toBe(401);
  });
});
