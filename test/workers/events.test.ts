import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES } from "../../src/config/limits";
import type { IngestResult } from "../../src/schemas/events";
import { createSite, event, get, postEvents, type ErrorJson } from "./helpers";

async function countEvents(siteId: string, where = "1 = 1", ...binds: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND ${where}`)
    .bind(siteId, ...binds)
    .first<{ n: number }>();
  return row!.n;
}

describe("POST /v1/events", () => {
  it("accepts a batch, stores it and answers with the accepted ids", async () => {
    const site = await createSite();
    const batch = [event({ itemId: "a" }), event({ itemId: "b", type: "click" }), event({ type: "search", itemId: undefined })];
    const res = await postEvents(site, batch);
    expect(res.status).toBe(200);
    const body = await res.json<IngestResult>();
    expect(body.accepted).toEqual(batch.map((e) => e.id));
    expect(body.rejected).toEqual([]);
    expect(await countEvents(site.id)).toBe(3);
    const row = await env.DB.prepare("SELECT type, item_id, session_id, anonymous_id FROM events WHERE site_id = ? AND id = ?")
      .bind(site.id, batch[1]!.id)
      .first();
    expect(row).toEqual({ type: "click", item_id: "b", session_id: "sess-1", anonymous_id: "anon-1" });
  });

  it("rejects each invalid event with its index and field, and stores the valid rest", async () => {
    const site = await createSite();
    const now = Date.now();
    const cases: [Record<string, unknown>, string][] = [
      [event({ id: "not-a-uuid" }), "id"],
      [event({ type: "teleport" }), "type"],
      [event({ anonymousId: "" }), "anonymousId"],
      [event({ anonymousId: "x".repeat(129) }), "anonymousId"],
      [event({ sessionId: "bad\u0001id" }), "sessionId"],
      [{ ...event(), sessionId: undefined }, "sessionId"],
      [event({ type: "purchase", itemId: undefined }), "itemId"],
      [event({ type: "identify", userId: undefined }), "userId"],
      [event({ ts: now + 60 * 60 * 1000 }), "ts"],
      [event({ ts: now - 400 * 86_400_000 }), "ts"],
      [event({ ts: 1.5 }), "ts"],
      [{ ...event(), ts: "yesterday" }, "ts"],
      [event({ context: { url: "u".repeat(3000) } }), "context.url"],
      [event({ context: { device: "toaster" } }), "context.device"],
      [event({ properties: { nested: { a: 1 } } }), "properties.nested"],
      [event({ properties: { big: "x".repeat(MAX_EVENT_BYTES) } }), "(event)"],
    ];
    const good = event({ itemId: "ok" });
    const res = await postEvents(site, [...cases.map(([e]) => e), good]);
    expect(res.status).toBe(200);
    const body = await res.json<IngestResult>();
    expect(body.accepted).toEqual([good.id]);
    expect(body.rejected.map((r) => [r.index, r.field])).toEqual(cases.map(([, field], i) => [i, field]));
    expect(body.rejected[0]!.id).toBe("not-a-uuid"); // echoed so a client can match its own records
    expect(await countEvents(site.id)).toBe(1);
  });

  it("answers 400 naming the fields when no event is valid, and stores nothing", async () => {
    const site = await createSite();
    const res = await postEvents(site, [event({ type: "nope" })]);
    expect(res.status).toBe(400);
    const body = await res.json<ErrorJson>();
    expect(body.error.code).toBe("no_valid_events");
    expect(body.error.issues?.[0]?.path).toBe("events[0].type");
    expect(await countEvents(site.id)).toBe(0);
  });

  it("answers 400 for malformed JSON and for a body without events", async () => {
    const site = await createSite();
    const bad = await postEvents(site, [], { body: "{ not json" });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.code).toBe("malformed_json");
    const empty = await postEvents(site, [], { body: JSON.stringify({ events: [] }) });
    expect(empty.status).toBe(400);
    expect((await empty.json<ErrorJson>()).error.issues?.[0]?.path).toBe("events");
    const missing = await postEvents(site, [], { body: JSON.stringify({ evts: [] }) });
    expect((await missing.json<ErrorJson>()).error.issues?.[0]?.path).toBe("events");
  });

  it("answers 415 for other content types", async () => {
    const site = await createSite();
    const res = await postEvents(site, [event()], { contentType: "application/x-www-form-urlencoded" });
    expect(res.status).toBe(415);
  });

  it("answers 413 above the event count and byte limits, storing nothing", async () => {
    const site = await createSite();
    const many = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => event());
    const tooMany = await postEvents(site, many);
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json<ErrorJson>()).error.code).toBe("too_many_events");
    const filler = "x".repeat(1000);
    const big = Array.from({ length: Math.ceil(MAX_BATCH_BYTES / 1000) + 10 }, () => event({ properties: { filler } }));
    const tooBig = await postEvents(site, big.slice(0, MAX_BATCH_EVENTS));
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json<ErrorJson>()).error.code).toBe("payload_too_large");
    expect(await countEvents(site.id)).toBe(0);
  });

  it("accepts text/plain beacons with the key in the query string", async () => {
    const site = await createSite();
    const e = event();
    const res = await postEvents(site, [e], { contentType: "text/plain;charset=UTF-8", viaQuery: true, headers: { origin: site.origin } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(site.origin);
    expect(await countEvents(site.id, "id = ?", e.id)).toBe(1);
  });

  it("answers 401 without a key or with an unknown key", async () => {
    const site = await createSite();
    const none = await postEvents({ ...site, key: "" }, [event()], { headers: { "x-edgerec-key": "" } });
    expect(none.status).toBe(401);
    const unknown = await postEvents({ ...site, key: "pk_nope_nope_nope_nope" }, [event()]);
    expect(unknown.status).toBe(401);
    expect((await unknown.json<ErrorJson>()).error.code).toBe("invalid_key");
  });

  it("answers 403 for an origin the site does not allow", async () => {
    const site = await createSite();
    const res = await postEvents(site, [event()], { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect((await res.json<ErrorJson>()).error.code).toBe("origin_not_allowed");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(await countEvents(site.id)).toBe(0);
  });

  it("answers preflights for allowed origins and refuses others", async () => {
    const site = await createSite();
    const preflight = (origin: string) =>
      exportsFetch(`/v1/events?key=${site.key}`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    const ok = await preflight(site.origin);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(site.origin);
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    expect(ok.headers.get("access-control-allow-headers")).toContain("content-type");
    const denied = await preflight("https://evil.example");
    expect(denied.status).toBe(403);
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("stores each event once when the same batch arrives twice", async () => {
    const site = await createSite();
    const batch = [event({ itemId: "a" }), event({ itemId: "b", type: "purchase" }), event({ itemId: "b", type: "purchase" })];
    batch[2]!.id = batch[1]!.id; // a duplicate inside the batch, too
    const first = await postEvents(site, batch);
    const second = await postEvents(site, batch);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    // The repeat is answered as duplicates of what the first request accepted, not as accepted again.
    expect((await first.json<IngestResult>()).accepted).toEqual([batch[0]!.id, batch[1]!.id]);
    const again = await second.json<IngestResult>();
    expect(again.accepted).toEqual([]);
    expect(again.duplicates).toEqual([batch[0]!.id, batch[1]!.id]);
    expect(await countEvents(site.id)).toBe(2);
    const profile = await env.DB.prepare("SELECT event_count, n_view, n_purchase FROM profiles WHERE site_id = ?").bind(site.id).first();
    expect(profile).toEqual({ event_count: 2, n_view: 1, n_purchase: 1 });
    const item = await env.DB.prepare("SELECT interactions, purchases FROM profile_items WHERE site_id = ? AND item_id = 'b'")
      .bind(site.id)
      .first();
    expect(item).toEqual({ interactions: 1, purchases: 1 });
    const session = await get(`/v1/sessions/sess-1`, { "x-edgerec-key": site.key });
    expect((await session.json<{ path: unknown[] }>()).path).toHaveLength(2);
  });

  it("never stores a client-sent IP address", async () => {
    const site = await createSite();
    const e = event({ context: { url: "https://shop.example/p/1", ip: "203.0.113.9" } });
    const res = await postEvents(site, [e], { headers: { "cf-connecting-ip": "203.0.113.9", "x-forwarded-for": "203.0.113.9" } });
    expect(res.status).toBe(200);
    const row = await env.DB.prepare("SELECT * FROM events WHERE site_id = ? AND id = ?").bind(site.id, e.id).first();
    expect(JSON.stringify(row)).not.toContain("203.0.113.9");
    expect(JSON.parse(String(row!.context))).toEqual({ url: "https://shop.example/p/1" });
  });

  it("keeps sites apart: the same event id in two sites is two events", async () => {
    const a = await createSite();
    const b = await createSite();
    const e = event();
    await postEvents(a, [e]);
    await postEvents(b, [e]);
    expect(await countEvents(a.id)).toBe(1);
    expect(await countEvents(b.id)).toBe(1);
  });
});

async function exportsFetch(path: string, init: RequestInit): Promise<Response> {
  const { exports } = await import("cloudflare:workers");
  return exports.default.fetch(`https://edgerec.test${path}`, init);
}
