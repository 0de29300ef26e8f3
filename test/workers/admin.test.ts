import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, get, type ErrorJson } from "./helpers";

function putSite(id: string, body: unknown, headers: Record<string, string> = ADMIN): Promise<Response> {
  return exports.default.fetch(`${BASE}/admin/sites/${id}`, {
    method: "PUT",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("/admin/sites", () => {
  it("creates a site with generated keys shown once, then updates it idempotently keeping them", async () => {
    const created = await putSite("shop-a", { name: "Shop A", allowedOrigins: ["https://a.example"] });
    expect(created.status).toBe(201);
    const site = await created.json<{ newKeys: { writeKey: string; serverKey: string; identitySecret: string }; keys: { hint: string }[] }>();
    expect(site.newKeys.writeKey).toMatch(/^pk_[A-Za-z0-9_-]{20,}$/);
    expect(site.newKeys.serverKey).toMatch(/^sk_[A-Za-z0-9_-]{40,}$/);
    expect(site.newKeys.identitySecret).toMatch(/^is_[A-Za-z0-9_-]{40,}$/);
    expect(site.keys.map((k) => k.hint).sort()).toEqual([site.newKeys.identitySecret, site.newKeys.writeKey, site.newKeys.serverKey].map((k) => `${k.slice(0, 7)}…`).sort());
    const again = await putSite("shop-a", { name: "Shop A2", allowedOrigins: ["*"] });
    expect(again.status).toBe(200);
    const updated = await again.text();
    expect(JSON.parse(updated)).toMatchObject({ name: "Shop A2", allowedOrigins: ["*"] });
    const listText = await (await get("/admin/sites", ADMIN)).text();
    expect(JSON.parse(listText).sites.map((s: { id: string }) => s.id)).toContain("shop-a");
    // Shown once: neither the update nor the listing carries any key, and D1 holds only hashes of the two keys.
    for (const key of Object.values(site.newKeys)) {
      expect(updated).not.toContain(key);
      expect(listText).not.toContain(key);
    }
    const stored = await env.DB.prepare("SELECT key_hash, secret FROM site_keys WHERE site_id = 'shop-a'").all<{ key_hash: string; secret: string | null }>();
    expect(JSON.stringify(stored.results)).not.toContain(site.newKeys.writeKey);
    expect(JSON.stringify(stored.results)).not.toContain(site.newKeys.serverKey);
    // A new key works at once.
    const ok = await exports.default.fetch(`${BASE}/v1/items/none`, { headers: { "x-edgerec-key": site.newKeys.writeKey } });
    expect(ok.status).toBe(404);
  });

  it("applies a changed origin list immediately in this isolate", async () => {
    const key = `pk_${crypto.randomUUID().replaceAll("-", "")}`;
    await putSite("shop-o", { name: "O", writeKey: key, allowedOrigins: ["https://one.example"] });
    const post = (origin: string) =>
      exports.default.fetch(`${BASE}/v1/events?key=${key}`, {
        method: "POST",
        headers: { origin, "content-type": "text/plain" },
        body: JSON.stringify({ events: [{ id: crypto.randomUUID(), type: "view", anonymousId: "a", sessionId: "s", ts: Date.now() }] }),
      });
    expect((await post("https://two.example")).status).toBe(403);
    await putSite("shop-o", { name: "O", writeKey: key, allowedOrigins: ["https://two.example"] });
    expect((await post("https://two.example")).status).toBe(200);
  });

  it("rejects bad input naming the field and a key already in use", async () => {
    const bad = await putSite("Bad Id", { name: "x" });
    expect(bad.status).toBe(400);
    const badOrigin = await putSite("shop-b", { name: "B", allowedOrigins: ["https://b.example/path"] });
    expect(badOrigin.status).toBe(400);
    expect((await badOrigin.json<ErrorJson>()).error.issues?.[0]?.path).toBe("allowedOrigins[0]");
    const key = `pk_${crypto.randomUUID().replaceAll("-", "")}`;
    expect((await putSite("shop-c", { name: "C", writeKey: key })).status).toBe(201);
    const taken = await putSite("shop-d", { name: "D", writeKey: key });
    expect(taken.status).toBe(409);
    expect((await taken.json<ErrorJson>()).error.issues?.[0]?.path).toBe("writeKey");
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM sites WHERE id = 'shop-d'").first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });

  it("requires the admin token, compared exactly", async () => {
    expect((await get("/admin/sites")).status).toBe(401);
    expect((await get("/admin/sites", { authorization: "Bearer test-admin-token-x" })).status).toBe(401);
    expect((await get("/admin/sites", { authorization: "Basic test-admin-token" })).status).toBe(401);
    expect((await get("/admin/sites", ADMIN)).status).toBe(200);
  });
});

describe("health and errors", () => {
  it("serves /health with a D1 check", async () => {
    const res = await get("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, d1: "ok" });
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await get("/v2/nothing");
    expect(res.status).toBe(404);
    expect((await res.json<ErrorJson>()).error.code).toBe("not_found");
  });
});

describe("migrations", () => {
  it("apply from scratch and create every table", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all<{ name: string }>();
    const names = results.map((r) => r.name);
    for (const t of ["events", "identities", "items", "profile_items", "profiles", "sites", "d1_migrations"]) expect(names).toContain(t);
    const applied = await env.DB.prepare("SELECT COUNT(*) AS n FROM d1_migrations").first<{ n: number }>();
    expect(applied!.n).toBe(env.TEST_MIGRATIONS.length);
  });
});

describe("PUT /admin/sites/:id/config", () => {
  const putConfig = (id: string, body: unknown) =>
    exports.default.fetch(`${BASE}/admin/sites/${id}/config`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("stores per-slot defaults and weights, shown with the site", async () => {
    await putSite("cfg-a", { name: "cfg" });
    const config = { slots: { home: { k: 8, diversity: 0.7 }, cart: { excludeCategories: ["gift-cards"], maxPerCategory: 2 } }, weights: { trending: 0.5 } };
    const res = await putConfig("cfg-a", config);
    expect(res.status).toBe(200);
    const site = await (await get("/admin/sites/cfg-a", ADMIN)).json<{ config: unknown }>();
    expect(site.config).toEqual({ ...config, allowUncatalogued: false });
  });

  it("rejects unknown keys, bad values and contradictions, naming the field, writing nothing", async () => {
    await putSite("cfg-b", { name: "cfg" });
    const cases: [unknown, string][] = [
      [{ slots: { home: { kk: 3 } } }, "slots.home.kk"],
      [{ slots: { home: { diversity: 2 } } }, "slots.home.diversity"],
      [{ slots: { "Bad Slot": {} } }, "slots.Bad Slot"],
      [{ slots: { home: { includeCategories: ["a"], excludeCategories: ["a"] } } }, "slots.home.excludeCategories"],
      [{ weights: { magic: 1 } }, "weights.magic"],
    ];
    for (const [body, path] of cases) {
      const res = await putConfig("cfg-b", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json<ErrorJson>()).error.issues?.[0]?.path, JSON.stringify(body)).toBe(path);
    }
    const site = await (await get("/admin/sites/cfg-b", ADMIN)).json<{ config: unknown }>();
    expect(site.config).toEqual({ slots: {} });
    expect((await putConfig("nope", {})).status).toBe(404);
  });
});
