// The OpenAPI document against the app itself: every route the Hono app serves is documented and every documented
// route is served; /openapi.json and /docs are public and cacheable; and real answers have the documented statuses
// and shapes (parsed strictly with the same zod schemas the document is generated from).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { HTML_CSP } from "../../src/lib/security-headers";
import { buildOpenApiDocument, openApiPath } from "../../src/openapi/document";
import { errorSchema } from "../../src/openapi/responses";
import { ROUTES } from "../../src/openapi/routes";
import { ADMIN, BASE, createSite, event, postEvents, putItems, serverHeaders, type TestSite } from "./helpers";

const doc = buildOpenApiDocument();

/**
 * Hono lists middleware (`app.use`) as routes too, with method "ALL": the security headers, the request id, CORS
 * (which answers OPTIONS preflights itself: they are not operations of the API) and the admin guard. Those are the
 * only entries left out; the app registers no handler with `.all()` or `.on()`.
 */
const MIDDLEWARE_METHOD = "ALL";

function servedOperations(): Set<string> {
  return new Set(app.routes.filter((r) => r.method !== MIDDLEWARE_METHOD).map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`));
}

function documentedOperations(): Set<string> {
  return new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)));
}

describe("OpenAPI route coverage", () => {
  it("documents every route the app serves, and serves every documented route", () => {
    const served = servedOperations();
    const documented = documentedOperations();
    // Sanity: Hono's route list is what we think it is (mounted sub-apps appear with their full paths).
    expect(served).toContain("get /v1/items/{id}/similar");
    expect(served).toContain("post /v1/batch");
    expect(served).toContain("get /health");
    expect(served.size).toBeGreaterThan(40);
    expect([...served].filter((op) => !documented.has(op)), "served but not in the document").toEqual([]);
    expect([...documented].filter((op) => !served.has(op)), "in the document but not served").toEqual([]);
  });

  it("leaves out only middleware entries", () => {
    const left = app.routes.filter((r) => r.method === MIDDLEWARE_METHOD).map((r) => r.path);
    expect(new Set(left)).toEqual(new Set(["/*", "/v1/*", "/admin/*"]));
  });
});

describe("GET /openapi.json", () => {
  it("serves the generated document without a key, cacheable, with an ETag", async () => {
    const res = await exports.default.fetch(`${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    const tag = res.headers.get("etag");
    expect(tag).toBeTruthy();
    const again = await exports.default.fetch(`${BASE}/openapi.json`, { headers: { "if-none-match": tag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });
});

describe("GET /docs", () => {
  it("is an HTML reference of every operation under the strict CSP, with no third-party asset", async () => {
    const res = await exports.default.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe(HTML_CSP);
    const html = await res.text();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        expect(html).toContain(`id="${op.operationId}"`);
        expect(html).toContain(`<code>${path}</code>`);
      }
    }
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    const css = await exports.default.fetch(`${BASE}/docs/docs.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
  });
});

/**
 * Sends a request to a documented route and checks the answer against the route table: the status must be
 * documented, a success must parse (strictly) with its documented schema, an error with the error schema.
 */
async function call(method: string, template: string, url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const route = ROUTES.find((r) => r.method === method && r.path === template);
  if (!route) throw new Error(`not in the route table: ${method} ${template}`);
  const res = await exports.default.fetch(`${BASE}${url}`, { ...init, method: method.toUpperCase() });
  const op = doc.paths[openApiPath(template)]![method as "get"]!;
  expect(Object.keys(op.responses), `${method} ${url} answered ${res.status}`).toContain(String(res.status));
  const body: unknown = await res.json();
  const answer = route.answers[res.status];
  const schema = answer ? answer.schema : errorSchema;
  if (!schema) throw new Error(`${method} ${template} ${res.status} has no JSON schema`);
  const parsed = schema.safeParse(body);
  expect(parsed.success ? [] : parsed.error.issues, `${method} ${url} ${res.status}: ${JSON.stringify(body).slice(0, 300)}`).toEqual([]);
  return { status: res.status, body };
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

describe("answers match the document", () => {
  it("health, ingest, sessions, catalog and lists", async () => {
    const site = await createSite();
    const key = { "x-edgerec-key": site.key };
    expect((await call("get", "/health", "/health")).status).toBe(200);
    await putItems(site, [
      { id: "a", title: "A", categories: ["c"] },
      { id: "b", title: "B", categories: ["c"] },
    ]);
    const sessionId = `s-${crypto.randomUUID()}`;
    const anonymousId = `v-${crypto.randomUUID()}`;
    const ingest = await postEvents(site, [event({ sessionId, anonymousId, itemId: "a" }), event({ sessionId, anonymousId, itemId: "b" }), { id: "nope" }]);
    expect(ingest.status).toBe(200);
    // postEvents bypasses `call`; check the same answer shape through it with a fresh batch.
    const batch = await call("post", "/v1/events", "/v1/events", json({ events: [event({ sessionId, anonymousId, itemId: "a", type: "add_to_cart" }), { id: "x" }] }, key));
    expect(batch.body).toMatchObject({ rejected: [{ index: 1 }] });
    expect((await call("post", "/v1/events", "/v1/events", json({ events: [{ id: "x" }] }, key))).status).toBe(400);
    expect((await call("get", "/v1/sessions/:id", `/v1/sessions/${sessionId}`, { headers: key })).status).toBe(200);
    expect((await call("get", "/v1/sessions/:id", `/v1/sessions/missing-${crypto.randomUUID()}`, { headers: key })).status).toBe(404);
    expect((await call("get", "/v1/sessions/:id/next", `/v1/sessions/${sessionId}/next?k=5`, { headers: key })).status).toBe(200);
    expect((await call("get", "/v1/sessions/:id/next", `/v1/sessions/${sessionId}/next?k=0`, { headers: key })).status).toBe(400);
    expect((await call("get", "/v1/items/:id", "/v1/items/a", { headers: key })).status).toBe(200);
    expect((await call("get", "/v1/items/:id", "/v1/items/zzz", { headers: key })).status).toBe(404);
    expect((await call("get", "/v1/items/:id", "/v1/items/a")).status).toBe(401);
    expect((await call("get", "/v1/items/:id/similar", "/v1/items/a/similar?k=3", { headers: key })).status).toBe(200);
    const recs = `/v1/recommendations?sessionId=${sessionId}&anonymousId=${anonymousId}&slot=product&k=4`;
    expect((await call("get", "/v1/recommendations", recs, { headers: key })).status).toBe(200);
    expect((await call("put", "/v1/items", "/v1/items", { ...json({ items: [{ id: "c" }] }, serverHeaders(site)) })).status).toBe(200);
    expect((await call("put", "/v1/items", "/v1/items", { ...json({ items: [{ id: "c" }] }, key) })).status).toBe(401);
  });

  it("Segment-compatible ingest", async () => {
    const site = await createSite();
    const basic = { authorization: `Basic ${btoa(`${site.serverKey}:`)}` };
    const now = new Date().toISOString();
    const message = { type: "track", event: "Product Viewed", messageId: `m-${crypto.randomUUID()}`, anonymousId: "v-seg", timestamp: now, properties: { product_id: "a" } };
    const batch = await call("post", "/v1/batch", "/v1/batch", json({ sentAt: now, batch: [message] }, basic));
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ success: true, accepted: [message.messageId] });
    expect((await call("post", "/v1/track", "/v1/track", json({ ...message, type: undefined, messageId: `m-${crypto.randomUUID()}`, writeKey: site.serverKey }))).status).toBe(200);
    expect((await call("post", "/v1/p", "/v1/p", json({ anonymousId: "v-seg", messageId: `m-${crypto.randomUUID()}`, timestamp: now }, basic))).status).toBe(200);
    expect((await call("post", "/v1/batch", "/v1/batch", json({ batch: [message] }))).status).toBe(401);
    expect((await call("post", "/v1/identify", "/v1/identify", json({ type: "track", anonymousId: "v" }, basic))).status).toBe(400);
  });

  it("profiles, consent, export and erasure", async () => {
    const site = await createSite();
    const key = { "x-edgerec-key": site.key };
    const anonymousId = `v-${crypto.randomUUID()}`;
    expect((await postEvents(site, [event({ anonymousId, sessionId: `s-${crypto.randomUUID()}` })])).status).toBe(200);
    expect((await call("get", "/v1/users/:id", `/v1/users/${anonymousId}`, { headers: key })).status).toBe(200);
    expect((await call("get", "/v1/users/:id", `/v1/users/${anonymousId}`, { headers: serverHeaders(site) })).body).toHaveProperty("profileId");
    expect((await call("get", "/v1/users/:id/export", `/v1/users/${anonymousId}/export`, { headers: serverHeaders(site) })).status).toBe(200);
    expect((await call("get", "/v1/users/:id/export", `/v1/users/${anonymousId}/export`, { headers: key })).status).toBe(401);
    expect((await call("post", "/v1/users/me/export", "/v1/users/me/export", json({ anonymousId }, key))).status).toBe(200);
    const choice = await call("post", "/v1/consent", "/v1/consent", json({ anonymousId, analytics: true, personalization: true }, key));
    expect(choice.status).toBe(200);
    expect((await call("post", "/v1/consent", "/v1/consent", json({ anonymousId, analytics: false, personalization: false }, key))).status).toBe(403);
    const erased = await call("delete", "/v1/users/:id", `/v1/users/${anonymousId}`, { headers: serverHeaders(site) });
    expect(erased.status).toBe(200);
    const jobId = (erased.body as { jobId: string }).jobId;
    expect((await call("get", "/v1/users/erasures/:jobId", `/v1/users/erasures/${jobId}`, { headers: serverHeaders(site) })).status).toBe(200);
    expect((await call("post", "/v1/users/me/forget", "/v1/users/me/forget", json({ anonymousId: `v-${crypto.randomUUID()}` }, key))).status).toBe(200);
  });

  it("admin: sites, keys, config, models, sources, segments", async () => {
    const site: TestSite = await createSite();
    const id = `s-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call("put", "/admin/sites/:id", `/admin/sites/${id}`, json({ name: id, allowedOrigins: ["https://x.example"] }, ADMIN));
    expect(created.status).toBe(201);
    expect(created.body).toHaveProperty("newKeys.writeKey");
    expect((await call("put", "/admin/sites/:id", `/admin/sites/${id}`, json({ name: "renamed" }, ADMIN))).status).toBe(200);
    expect((await call("get", "/admin/sites/:id", `/admin/sites/${id}`, { headers: ADMIN })).status).toBe(200);
    expect((await call("get", "/admin/sites/:id", `/admin/sites/${id}`)).status).toBe(401);
    expect((await call("get", "/admin/sites", "/admin/sites", { headers: ADMIN })).status).toBe(200);
    expect((await call("post", "/admin/sites/:id/keys/rotate", `/admin/sites/${id}/keys/rotate`, json({ kind: "server", overlapSeconds: 0 }, ADMIN))).status).toBe(201);
    expect((await call("put", "/admin/sites/:id/config", `/admin/sites/${id}/config`, json({ slots: { cart: { k: 4 } } }, ADMIN))).status).toBe(200);
    expect((await call("put", "/admin/sites/:id/config", `/admin/sites/${id}/config`, json({ slots: { Bad: {} } }, ADMIN))).status).toBe(400);

    expect((await call("get", "/admin/models", `/admin/models?site=${site.id}`, { headers: ADMIN })).status).toBe(200);
    await putItems(site, [{ id: "a" }, { id: "b" }]);
    await postEvents(site, [event({ itemId: "a" }), event({ itemId: "b" })]);
    expect((await call("post", "/admin/retrain", `/admin/retrain?site=${site.id}`, { headers: ADMIN })).status).toBe(201);
    expect((await call("get", "/admin/models", `/admin/models?site=${site.id}`, { headers: ADMIN })).status).toBe(200);
    expect((await call("post", "/admin/models/rollback", `/admin/models/rollback?site=${site.id}`, { headers: ADMIN })).status).toBe(409);
    expect((await call("post", "/admin/retrain", `/admin/retrain?site=${site.id}`, { headers: ADMIN })).status).toBe(201);
    expect((await call("post", "/admin/models/rollback", `/admin/models/rollback?site=${site.id}`, { headers: ADMIN })).status).toBe(200);
    expect((await call("get", "/admin/sources", `/admin/sources?site=${site.id}`, { headers: ADMIN })).status).toBe(200);
    expect((await call("get", "/admin/segments", `/admin/segments?site=${site.id}`, { headers: ADMIN })).status).toBe(200);
    expect((await call("get", "/admin/segments", `/admin/segments?site=${site.id}&x=1`, { headers: ADMIN })).status).toBe(400);
  });
});
