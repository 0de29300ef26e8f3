import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EXPORT_PAGE_EVENTS } from "../../src/config/limits";
import type { ExportDocument } from "../../src/privacy/export";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

function selfExport(site: TestSite, body: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/users/me/export?key=${site.key}`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(body) });
}

/** A user on two devices (a1 with a consent choice, a2), plus other visitors so a model with segments can train. */
async function userOnTwoDevices(site: TestSite): Promise<void> {
  await putItems(site, [
    { id: "boot", title: "Boot", categories: ["shoes"], tags: [] },
    { id: "sock", title: "Sock", categories: ["socks"], tags: [] },
    { id: "tent", title: "Tent", categories: ["tents"], tags: [] },
  ]);
  const t = Date.now() - 3_600_000;
  const others = Array.from({ length: 10 }, (_, v) =>
    // Three events each: the segments' minimum evidence (SEGMENT_MIN_EVENTS).
    (v % 2 ? ["boot", "sock", "boot"] : ["tent", "boot", "tent"]).map((itemId, i) => event({ anonymousId: `o${v}`, sessionId: `os${v}`, itemId, ts: t + v * 10 + i })),
  ).flat();
  const mine = [
    event({ anonymousId: "a1", sessionId: "m1", itemId: "boot", ts: t + 1000 }),
    event({ anonymousId: "a1", sessionId: "m1", userId: "u1", type: "identify", itemId: undefined, ts: t + 1001 }),
    event({ anonymousId: "a2", sessionId: "m2", userId: "u1", itemId: "sock", ts: t + 1002, properties: { size: 42 } }),
  ];
  expect((await postEvents(site, [...others, ...mine], { headers: serverHeaders(site) })).status).toBe(200);
  await exports.default.fetch(`${BASE}/v1/consent?key=${site.key}`, { method: "POST", body: JSON.stringify({ anonymousId: "a1", analytics: true, personalization: true }) });
  expect((await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN })).status).toBe(201);
}

describe("GET /v1/users/:id/export", () => {
  it("exports profile, linked ids, consent history, segment and events in time order", async () => {
    const site = await createSite();
    await userOnTwoDevices(site);
    const res = await get(`/v1/users/u1/export`, serverHeaders(site));
    expect(res.status).toBe(200);
    const doc = await res.json<ExportDocument>();
    expect(doc.linkedIds).toEqual({ anonymousIds: ["a1", "a2"], userId: "u1" });
    expect(doc.profile).toMatchObject({ userId: "u1", eventCount: 3 });
    expect(doc.consentHistory).toMatchObject([{ anonymousId: "a1", analytics: true, personalization: true, source: "browser", applied: true }]);
    expect(doc.segment).not.toBeNull();
    expect(typeof doc.segment!.description).toBe("string");
    expect(doc.events.map((e) => [e.anonymousId, e.type])).toEqual([
      ["a1", "view"],
      ["a1", "identify"],
      ["a2", "view"],
    ]);
    expect(doc.events[2]!.properties).toEqual({ size: 42 });
    expect(doc.nextCursor).toBeNull();
  });

  it("pages the events by cursor, EXPORT_PAGE_EVENTS at a time, without gaps or repeats", async () => {
    const site = await createSite();
    const t = Date.now() - 3_600_000;
    const all = Array.from({ length: EXPORT_PAGE_EVENTS + 5 }, (_, i) => event({ anonymousId: "many", sessionId: "ms", itemId: `i${i % 7}`, ts: t + Math.floor(i / 3) }));
    for (let i = 0; i < all.length; i += 500) expect((await postEvents(site, all.slice(i, i + 500))).status).toBe(200);

    const first = await (await get(`/v1/users/many/export`, serverHeaders(site))).json<ExportDocument>();
    expect(first.events).toHaveLength(EXPORT_PAGE_EVENTS);
    expect(first.nextCursor).not.toBeNull();
    const second = await (await get(`/v1/users/many/export?cursor=${encodeURIComponent(first.nextCursor!)}`, serverHeaders(site))).json<ExportDocument>();
    expect(second.events).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.events, ...second.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(all.length);
    const ts = [...first.events, ...second.events].map((e) => e.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));

    const bad = await get(`/v1/users/many/export?cursor=nope`, serverHeaders(site));
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues![0]!.path).toBe("cursor");
  });

  it("needs the server key: 401 with the public key, 404 for an unknown id", async () => {
    const site = await createSite();
    await postEvents(site, [event({ anonymousId: "p1" })]);
    expect((await get(`/v1/users/p1/export`, { "x-edgerec-key": site.key })).status).toBe(401);
    expect((await get(`/v1/users/nobody/export`, serverHeaders(site))).status).toBe(404);
    expect((await get(`/v1/users/p1/export`, { ...ADMIN, "x-edgerec-key": site.key })).status).toBe(200);
  });
});

describe("POST /v1/users/me/export", () => {
  it("shows a visitor their own data, with only their own anonymous id among the linked ids", async () => {
    const site = await createSite();
    await userOnTwoDevices(site);
    const res = await selfExport(site, { anonymousId: "a2" });
    expect(res.status).toBe(200);
    const doc = await res.json<ExportDocument>();
    expect(doc.linkedIds).toEqual({ anonymousIds: ["a2"], userId: "u1" });
    expect(doc.profile!.anonymousIds).toEqual(["a2"]);
    expect(doc.events.map((e) => e.anonymousId)).toEqual(["a2"]);
    // a1's consent history is a1's: not shown to the other device.
    expect(doc.consentHistory).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('"a1"');
    // The internal profile id embeds the first device's anonymous id ("a:a1"): never in a visitor's export.
    expect(doc.profile).not.toHaveProperty("profileId");
    expect(JSON.stringify(doc)).not.toContain("a:a1");
  });

  it("rejects an unknown body field naming it, and answers 404 for an id never seen", async () => {
    const site = await createSite();
    const bad = await selfExport(site, { anonymousId: "x", userId: "u1" });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues![0]!.path).toBe("userId");
    expect((await selfExport(site, { anonymousId: "never" })).status).toBe(404);
    expect(await env.DB.prepare(`SELECT COUNT(*) AS n FROM erasures WHERE site_id = ?`).bind(site.id).first<{ n: number }>()).toEqual({ n: 0 });
  });
});
