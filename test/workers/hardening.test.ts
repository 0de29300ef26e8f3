// Hardening regressions (issue 8): well-formed ids, one site's failing cron job never stops another's, uncatalogued
// items, the per-batch session cap, honest 401s and security headers.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { MAX_BATCH_BYTES, MAX_BATCH_SESSIONS, MAX_BATCH_SESSIONS_SERVER, MAX_BATCH_VISITORS, MAX_ID_BYTES } from "../../src/config/limits";
import type { AppEnv } from "../../src/lib/app-env";
import { onError } from "../../src/lib/on-error";
import { API_CSP, HTML_CSP, securityHeaders } from "../../src/lib/security-headers";
import { decodePopular } from "../../src/models/artifact";
import type { IngestResult } from "../../src/schemas/events";
import { RETRAIN_CRON, TRENDING_CRON } from "../../src/scheduled";
import worker from "../../src/index";
import { kvKeys } from "../../src/storage/kv-keys";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

async function retrain(siteId: string): Promise<Response> {
  return exports.default.fetch(`${BASE}/admin/retrain?site=${siteId}`, { method: "POST", headers: ADMIN });
}

/** Copies one of the site's event rows with `item_id` set to raw bytes (hex), as rows stored before validation did. */
async function insertRawItemRow(siteId: string, hex: string): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO events (site_id, id, type, anonymous_id, session_id, item_id, ts, profile_id, received_at)
     SELECT site_id, ?2, type, anonymous_id, session_id, CAST(X'${hex}' AS TEXT), ts, profile_id, received_at
     FROM events WHERE site_id = ?1 LIMIT 1`,
  )
    .bind(siteId, crypto.randomUUID())
    .run();
}

async function runCron(cron: string): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("well-formed ids", () => {
  it("rejects lone surrogates in item ids (naming itemId) and the retrain still succeeds", async () => {
    const site = await createSite();
    const good = event({ itemId: "plain", sessionId: "s-good" });
    // JSON.stringify escapes a lone surrogate as \ud800: exactly what a hostile client sends as raw JSON text.
    const bad = [event({ itemId: "x\ud800" }), event({ itemId: "x\udbff" })];
    const body = JSON.stringify({ events: [...bad, good] });
    expect(body).toContain("\\ud800");
    const res = await postEvents(site, [], { body });
    expect(res.status).toBe(200);
    const result = await res.json<IngestResult>();
    expect(result.accepted).toEqual([good.id]);
    expect(result.rejected.map((r) => [r.index, r.field, r.message])).toEqual([
      [0, "itemId", "must be well-formed Unicode (no lone surrogates)"],
      [1, "itemId", "must be well-formed Unicode (no lone surrogates)"],
    ]);
    expect((await retrain(site.id)).status).toBe(201);
  });

  it("limits ids by UTF-8 bytes as well as characters", async () => {
    const site = await createSite();
    const emoji = "😀".repeat(MAX_ID_BYTES / 4 + 1); // under MAX_ID_LENGTH characters, over MAX_ID_BYTES bytes
    const res = await postEvents(site, [event({ sessionId: emoji }), event()]);
    const result = await res.json<IngestResult>();
    expect(result.rejected.map((r) => r.field)).toEqual(["sessionId"]);
  });

  it("rejects lone surrogates in catalog labels, property keys and site names, naming the field", async () => {
    const site = await createSite();
    const items = await exports.default.fetch(`${BASE}/v1/items`, {
      method: "PUT",
      headers: { ...ADMIN, "x-edgerec-key": site.key, "content-type": "application/json" },
      body: JSON.stringify({ items: [{ id: "a", categories: ["ok", "bad\udc00"] }] }),
    });
    expect(items.status).toBe(400);
    expect((await items.json<ErrorJson>()).error.issues?.[0]?.path).toBe("items[0].categories[1]");
    const props = await postEvents(site, [event({ properties: { ["k\ud800"]: 1 } }), event()]);
    expect((await props.json<IngestResult>()).rejected.map((r) => r.field)).toEqual(["properties.k\ud800"]);
    const named = await exports.default.fetch(`${BASE}/admin/sites/${site.id}`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ name: "shop\ud800" }),
    });
    expect(named.status).toBe(400);
    expect((await named.json<ErrorJson>()).error.issues?.[0]?.path).toBe("name");
  });

  it("trains a site whose stored rows hold ids that read back as the same string", async () => {
    const site = await createSite();
    await postEvents(site, [event({ itemId: "a" }), event({ itemId: "b" })]);
    // "x" + a lone surrogate through SQLite's json_each: two byte sequences, one U+FFFD string in JavaScript.
    await insertRawItemRow(site.id, "78EDA080");
    await insertRawItemRow(site.id, "78EDAFBF");
    expect((await retrain(site.id)).status).toBe(201);
  });
});

describe("cron: one site's failure does not stop the others", () => {
  it("writes the trending list of a healthy site after another site's refresh threw", async () => {
    // A site row whose id makes its KV key longer than KV's 512 bytes: its refresh throws at the KV write. It sorts
    // before every test site ("a…" < "s-…"), so the healthy site comes after it in the loop.
    const broken = "a".repeat(600);
    await env.DB.prepare("INSERT INTO sites (id, name, created_at, updated_at) VALUES (?1, 'broken', 0, 0)").bind(broken).run();
    const healthy = await createSite();
    await postEvents(healthy, [event({ itemId: "hit", type: "purchase" })]);
    await env.DB.prepare(
      `INSERT INTO events (site_id, id, type, anonymous_id, session_id, item_id, ts, profile_id, received_at)
       SELECT ?1, ?2, type, anonymous_id, session_id, item_id, ts, profile_id, received_at FROM events WHERE site_id = ?3`,
    )
      .bind(broken, crypto.randomUUID(), healthy.id)
      .run();
    await runCron(TRENDING_CRON);
    const list = await env.MODELS.get(kvKeys.trendingLive(healthy.id), "arrayBuffer");
    expect(list).not.toBeNull();
    expect(decodePopular(new Uint8Array(list!)).map((n) => n.itemId)).toEqual(["hit"]);
    // The hourly retrain loops over the same sites: the broken one fails at its first KV write, the healthy one trains.
    await runCron(RETRAIN_CRON);
    expect(await env.MODELS.get(kvKeys.manifest(healthy.id))).not.toBeNull();
  });
});

describe("POST /v1/events: distinct visitors per batch", () => {
  it(`accepts the first ${MAX_BATCH_VISITORS} anonymous ids with the write key and rejects the rest, and relays many with the server key`, async () => {
    const site = await createSite();
    const batch = Array.from({ length: 20 }, (_, i) => event({ sessionId: "one-session", anonymousId: `invented-${i}` }));
    const body = await (await postEvents(site, batch)).json<IngestResult>();
    expect(body.accepted).toEqual(batch.slice(0, MAX_BATCH_VISITORS).map((e) => e.id));
    expect(body.rejected.map((r) => [r.index, r.field, r.code])).toEqual(
      batch.slice(MAX_BATCH_VISITORS).map((_, i) => [MAX_BATCH_VISITORS + i, "anonymousId", "too_many_visitors"]),
    );
    const profiles = await env.DB.prepare("SELECT COUNT(*) AS n FROM profiles WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(profiles!.n).toBe(MAX_BATCH_VISITORS);
    const server = await (await postEvents(site, batch.map((e) => ({ ...e, id: crypto.randomUUID() })), { headers: serverHeaders(site) })).json<IngestResult>();
    expect(server.rejected).toEqual([]);
  });
});

describe("POST /v1/events: distinct sessions per batch", () => {
  for (const [role, cap] of [["write key", MAX_BATCH_SESSIONS], ["server key", MAX_BATCH_SESSIONS_SERVER]] as const) {
    it(`accepts events of the first ${cap} sessions with the ${role} and rejects the rest one by one`, async () => {
      const site = await createSite();
      // One visitor with 500 sessions: the session cap is what binds (visitors have a cap of their own, below).
      const batch = Array.from({ length: 500 }, (_, i) => event({ sessionId: `cap-${i}`, anonymousId: "v-1" }));
      const headers = role === "server key" ? serverHeaders(site) : {};
      const res = await postEvents(site, batch, { headers });
      expect(res.status).toBe(200);
      const body = await res.json<IngestResult>();
      expect(body.accepted).toEqual(batch.slice(0, cap).map((e) => e.id));
      expect(body.rejected).toHaveLength(500 - cap);
      expect(body.rejected[0]).toMatchObject({ index: cap, field: "sessionId", code: "too_many_sessions" });
      const stored = await env.DB.prepare("SELECT COUNT(DISTINCT session_id) AS n FROM events WHERE site_id = ?").bind(site.id).first<{ n: number }>();
      expect(stored!.n).toBe(cap);
      // Only the first `cap` sessions' objects got an RPC: the stored rows above say which; a sample of the rest
      // (opening 500 objects here would take longer than the ingest) has never seen an event.
      const sample = [...batch.slice(cap - 3, cap + 5), ...batch.slice(-3)];
      const live = await Promise.all(sample.map((e) => get(`/v1/sessions/${e.sessionId}`, { "x-edgerec-key": site.key }).then((r) => r.status)));
      expect(live).toEqual([200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404]);
    });
  }

  it("lets more events of an already counted session through after the cap", async () => {
    const site = await createSite();
    const batch = [
      ...Array.from({ length: MAX_BATCH_SESSIONS + 1 }, (_, i) => event({ sessionId: `k-${i}` })),
      event({ sessionId: "k-0", itemId: "again" }),
    ];
    const body = await (await postEvents(site, batch)).json<IngestResult>();
    expect(body.rejected.map((r) => r.index)).toEqual([MAX_BATCH_SESSIONS]);
    expect(body.accepted).toHaveLength(MAX_BATCH_SESSIONS + 1);
  });
});

describe("honest 401s", () => {
  const routes = (site: { id: string }): [string, string, string?][] => [
    ["GET", "/v1/users/anon-1"],
    ["GET", "/v1/items/sku-1"],
    ["PUT", "/v1/items", JSON.stringify({ items: [{ id: "a" }] })],
    ["GET", "/v1/items/sku-1/similar"],
    ["POST", "/v1/events", JSON.stringify({ events: [event()] })],
    ["POST", "/v1/consent", JSON.stringify({ anonymousId: "a", analytics: true, personalization: true })],
    ["GET", "/v1/sessions/sess-1"],
    ["GET", "/v1/sessions/sess-1/next"],
    ["GET", "/v1/recommendations"],
    ["GET", "/v1/users/anon-1/export"],
    ["DELETE", "/v1/users/anon-1"],
    ["POST", "/v1/users/me/forget", JSON.stringify({ anonymousId: "anon-1" })],
    ["POST", "/v1/users/me/export", JSON.stringify({ anonymousId: "anon-1" })],
    ["GET", `/v1/users/erasures/er_${"0".repeat(32)}`],
    ["GET", "/admin/sites"],
    ["GET", `/admin/sites/${site.id}`],
    ["PUT", `/admin/sites/${site.id}/config`, JSON.stringify({ slots: {} })],
    ["GET", `/admin/models?site=${site.id}`],
    ["POST", `/admin/retrain?site=${site.id}`],
  ];

  it("answers 401 JSON to a wrong Authorization header on every authenticated route, even with a valid key", async () => {
    const site = await createSite();
    for (const auth of ["Bearer x", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer test-admin-token-but-longer"]) {
      for (const [method, path, body] of routes(site)) {
        const res = await exports.default.fetch(`${BASE}${path}`, {
          method,
          headers: { authorization: auth, "x-edgerec-key": site.key, "content-type": "application/json" },
          body,
        });
        expect([method, path, auth, res.status]).toEqual([method, path, auth, 401]);
        const json = await res.json<ErrorJson>();
        expect(typeof json.error.code).toBe("string");
      }
    }
  });

  it("answers 401 to admin and server routes with only the public write key", async () => {
    const site = await createSite();
    const trustedOnly = (m: string, p: string) =>
      p.startsWith("/admin") || (m === "PUT" && p === "/v1/items") || (m === "GET" && p.endsWith("/export")) || m === "DELETE";
    for (const [method, path, body] of routes(site).filter(([m, p]) => trustedOnly(m, p))) {
      const res = await exports.default.fetch(`${BASE}${path}`, { method, headers: { "x-edgerec-key": site.key, "content-type": "application/json" }, body });
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
  });
});

describe("security headers", () => {
  const expectBase = (res: Response, what: string) => {
    expect([what, res.headers.get("x-content-type-options")]).toEqual([what, "nosniff"]);
    expect([what, res.headers.get("x-frame-options")]).toEqual([what, "DENY"]);
    expect(res.headers.get("referrer-policy")).toMatch(/^(no-referrer|strict-origin-when-cross-origin)$/);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  };

  it("sets them on answers, errors, 404s, preflights and the SDK script", async () => {
    const site = await createSite();
    const cases: [string, Promise<Response>][] = [
      ["health", get("/health")],
      ["404", get("/nope")],
      ["401", get("/v1/items/a")],
      ["400", get("/v1/recommendations?k=0", { "x-edgerec-key": site.key })],
      ["200 json", get("/v1/recommendations", { "x-edgerec-key": site.key })],
      ["sdk", get("/sdk.js")],
      ["preflight", exports.default.fetch(`${BASE}/v1/events?key=${site.key}`, { method: "OPTIONS", headers: { origin: site.origin, "access-control-request-method": "POST" } })],
    ];
    for (const [what, pending] of cases) {
      const res = await pending;
      expectBase(res, what);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
  });

  it("sets them on 413s, unknown SDK versions, 304s, HEADs, and the demo's script, stylesheet and SVG images", async () => {
    const site = await createSite();
    const cases: [string, number, Promise<Response>][] = [
      ["413", 413, postEvents(site, [], { body: JSON.stringify({ events: [], pad: "x".repeat(MAX_BATCH_BYTES) }) })],
      ["segment 401", 401, exports.default.fetch(`${BASE}/v1/batch`, { method: "POST", body: "{}" })],
      ["unknown sdk version", 404, get("/sdk/000000000000.js")],
      ["sdk 304", 304, get("/sdk.js", { "if-none-match": (await get("/sdk.js")).headers.get("etag")! })],
      ["sdk HEAD", 200, exports.default.fetch(`${BASE}/sdk.js`, { method: "HEAD" })],
      ["404 HEAD", 404, exports.default.fetch(`${BASE}/nope`, { method: "HEAD" })],
      ["demo.js", 200, get("/demo/demo.js")],
      ["demo.css", 200, get("/demo/demo.css")],
      // An SVG can carry script: nosniff plus a CSP that loads nothing keeps it inert even when opened directly.
      ["demo svg", 200, get("/demo/img/anything.svg")],
    ];
    for (const [what, status, pending] of cases) {
      const res = await pending;
      expect([what, res.status]).toEqual([what, status]);
      expectBase(res, what);
      expect([what, res.headers.get("content-security-policy")]).toEqual([what, API_CSP]);
    }
  });

  it("sets them on a 500 from an unexpected throw (the app's middleware order and onError)", async () => {
    // The deployed app has no route that throws on purpose; this one is assembled the way src/app.ts is.
    const probe = new Hono<AppEnv>().use("*", securityHeaders).get("/boom", () => {
      throw new Error("boom");
    });
    probe.onError(onError);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await probe.request("/boom", {}, env);
      expect(res.status).toBe(500);
      expect((await res.json<ErrorJson>()).error.code).toBe("internal_error");
      expectBase(res, "500");
      expect(logged).toHaveBeenCalledOnce();
    } finally {
      logged.mockRestore();
    }
  });

  it("gives the demo's HTML a strict CSP and no inline script or handler", async () => {
    await env.DB.prepare("INSERT OR IGNORE INTO sites (id, name, created_at, updated_at) VALUES ('demo', 'demo', 0, 0)").run();
    await env.DB.prepare(
      "INSERT OR IGNORE INTO items (site_id, id, title, categories, tags, available, created_at, updated_at) VALUES ('demo', 'sku-q', 'Q', '[]', '[]', 1, 0, 0)",
    ).run();
    for (const path of ["/demo", "/demo/p/sku-q"]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expectBase(res, path);
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toBe(HTML_CSP);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await res.text();
      expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
      expect(html).not.toMatch(/\son[a-z]+=/);
      expect(html).not.toContain("<style");
    }
    const js = await get("/demo/demo.js");
    expect(js.headers.get("content-type")).toContain("javascript");
  });
});

describe("items absent from the catalog", () => {
  type Recs = { items: { id: string; title?: string; reason: { kind: string; text: string } }[] };
  const FAKE = "fake-漢-item";

  /** A shop with a catalog, whose visitors (or a script) push a made-up id hard: it is in every session and bought. */
  async function pushedShop(): Promise<TestSite> {
    const site = await createSite();
    await putItems(site, [
      { id: "tent", title: "Tent" },
      { id: "lamp", title: "Lamp" },
      { id: "boot", title: "Boot" },
    ]);
    const t0 = Date.now() - 2 * 3_600_000;
    const events = Array.from({ length: 30 }, (_, s) =>
      [FAKE, s % 2 ? "tent" : "boot", FAKE, "lamp"].map((itemId, i) =>
        event({ sessionId: `p-${s}`, anonymousId: `v-${s}`, itemId, type: itemId === FAKE ? "purchase" : "view", ts: t0 + s * 100 + i }),
      ),
    ).flat();
    expect((await postEvents(site, events, { headers: serverHeaders(site) })).status).toBe(200);
    return site;
  }

  async function lists(site: TestSite): Promise<Recs[]> {
    const key = { "x-edgerec-key": site.key };
    const session = `live-${crypto.randomUUID()}`;
    await postEvents(site, [event({ sessionId: session, anonymousId: "v-1", itemId: FAKE }), event({ sessionId: session, anonymousId: "v-1", itemId: "tent" })]);
    const paths = [
      `/v1/sessions/${session}/next?k=10`,
      `/v1/recommendations?k=10`,
      `/v1/recommendations?sessionId=${session}&anonymousId=v-1&k=10`,
      `/v1/recommendations?itemId=${encodeURIComponent(FAKE)}&k=10`,
      `/v1/recommendations?itemId=tent&pin=${encodeURIComponent(FAKE)}&k=10`,
      `/v1/items/tent/similar?k=10`,
      `/v1/items/${encodeURIComponent(FAKE)}/similar?k=10`,
    ];
    return Promise.all(
      paths.map(async (p) => {
        const res = await get(p, key);
        expect([p, res.status]).toEqual([p, 200]);
        return res.json<Recs>();
      }),
    );
  }

  it("never serves or names a made-up item id on a site with a catalog, before and after training", async () => {
    const site = await pushedShop();
    const check = (all: Recs[]) => {
      for (const recs of all) {
        expect(recs.items.map((i) => i.id)).not.toContain(FAKE);
        for (const i of recs.items) expect(i.reason.text).not.toContain(FAKE);
      }
    };
    check(await lists(site));
    expect((await retrain(site.id)).status).toBe(201);
    const trained = await lists(site);
    check(trained);
    // The model still learnt from the made-up id: a reason about it reads generically.
    expect(trained.flatMap((r) => r.items.map((i) => i.reason.text))).toContain("after an item you viewed");
    expect(trained.every((r) => r.items.every((i) => i.title !== undefined))).toBe(true);
  });

  it("serves uncatalogued ids as they come when the site allows it", async () => {
    const site = await pushedShop();
    const res = await exports.default.fetch(`${BASE}/admin/sites/${site.id}/config`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ allowUncatalogued: true }),
    });
    expect(res.status).toBe(200);
    expect((await retrain(site.id)).status).toBe(201);
    const recs = await (await get(`/v1/recommendations?itemId=tent&k=10`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(recs.items.map((i) => i.id)).toContain(FAKE);
  });
});
