// Shared helpers for tests inside workerd: a fresh site per test, event builders, JSON fetch.
import { env, exports } from "cloudflare:workers";
import { messageEventId } from "../../src/ingest/segment-map";

export const ADMIN = { authorization: "Bearer test-admin-token" };
export const BASE = "https://edgerec.test";

/** A test site: its public write key (`key`), secret server key and identity secret. */
export type TestSite = { id: string; key: string; serverKey: string; identitySecret: string; origin: string };

/** Site id by public or server key, of every site createSite made (for helpers that see only a request's key). */
export const siteByKey = new Map<string, string>();

/** Creates a site with its own id, keys and allowed origin, so tests never share state. */
export async function createSite(origins?: string[], settings: Record<string, unknown> = {}): Promise<TestSite> {
  const id = `s-${crypto.randomUUID().slice(0, 8)}`;
  const origin = `https://${id}.example`;
  const key = `pk_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const serverKey = `sk_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const identitySecret = `is_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const res = await exports.default.fetch(`${BASE}/admin/sites/${id}`, {
    method: "PUT",
    headers: { ...ADMIN, "content-type": "application/json" },
    body: JSON.stringify({ name: id, writeKey: key, serverKey, identitySecret, allowedOrigins: origins ?? [origin], ...settings }),
  });
  if (res.status !== 201) throw new Error(`site setup failed: ${res.status} ${await res.text()}`);
  siteByKey.set(key, id).set(serverKey, id);
  return { id, key, serverKey, identitySecret, origin };
}

/** The identity proof a site's backend computes for a user id: hex HMAC-SHA256 under the identity secret. */
export async function userHash(site: TestSite, userId: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(site.identitySecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(userId)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Headers of the site's backend: the secret server key. */
export function serverHeaders(site: TestSite): Record<string, string> {
  return { "x-edgerec-key": site.serverKey };
}

export type EventInput = {
  id?: string;
  type?: string;
  anonymousId?: string;
  userId?: string;
  userHash?: string;
  sessionId?: string;
  itemId?: string;
  ts?: number;
  context?: Record<string, unknown>;
  properties?: Record<string, unknown>;
};

export function event(overrides: EventInput = {}): Record<string, unknown> {
  return {
    id: crypto.randomUUID(),
    type: "view",
    anonymousId: "anon-1",
    sessionId: "sess-1",
    itemId: "sku-1",
    ts: Date.now() - 1000,
    ...overrides,
  };
}

export async function postEvents(
  site: TestSite,
  events: unknown[],
  init: { headers?: Record<string, string>; contentType?: string; body?: string; viaQuery?: boolean } = {},
): Promise<Response> {
  const url = init.viaQuery ? `${BASE}/v1/events?key=${site.key}` : `${BASE}/v1/events`;
  const headers: Record<string, string> = {
    "content-type": init.contentType ?? "application/json",
    ...(init.viaQuery ? {} : { "x-edgerec-key": site.key }),
    ...init.headers,
  };
  const res = await exports.default.fetch(url, { method: "POST", headers, body: init.body ?? JSON.stringify({ events }) });
  if (res.status === 200) await waitForIngest(site.id, await res.clone().json());
  return res;
}

/**
 * Ingest answers once the batch is durable in the queue; the consumer writes D1 a little later. Tests that read D1
 * after ingest wait here for every event the answer accepted (and did not ignore) to be in the log: a condition,
 * polled, never a fixed sleep. The consumer writes an event with its profile and rollups in one transaction, so
 * those are there too.
 */
export async function waitForIngest(siteId: string, answer: unknown): Promise<void> {
  const { accepted = [], ignored = [] } = answer as { accepted?: string[]; ignored?: string[] };
  const skip = new Set(ignored);
  const ids = accepted.filter((id) => !skip.has(id));
  if (ids.length > 0) await waitForEvents(siteId, ids);
}

/**
 * The Segment routes' counterpart of waitForIngest: their answer names messages, whose event ids are UUIDv5s of
 * (site, messageId[, part]). A message's events travel in one queue message, so one of them in D1 means all are.
 */
export async function waitForSegmentIngest(siteId: string, answer: unknown): Promise<void> {
  const { accepted = [], ignored = [] } = answer as { accepted?: string[]; ignored?: string[] };
  const skip = new Set(ignored);
  const deadline = Date.now() + 15_000;
  for (const messageId of accepted.filter((m) => !skip.has(m))) {
    const candidates = [await messageEventId(siteId, messageId), await messageEventId(siteId, messageId, 0)];
    for (;;) {
      const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM events WHERE site_id = ?1 AND id IN (?2, ?3)`)
        .bind(siteId, ...candidates)
        .first<{ n: number }>();
      if (row!.n > 0) break;
      if (Date.now() > deadline) throw new Error(`ingest queue: message ${messageId} not in D1 after 15 s`);
      await new Promise((r) => setTimeout(r, 10)); // the poll interval of a condition
    }
  }
}

/** Polls D1 until every one of `ids` is in the site's event log; fails after `timeoutMs`. */
export async function waitForEvents(siteId: string, ids: readonly string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM events WHERE site_id = ?1 AND id IN (SELECT value FROM json_each(?2))`)
      .bind(siteId, JSON.stringify(ids))
      .first<{ n: number }>();
    if (row!.n === ids.length) return;
    if (Date.now() > deadline) throw new Error(`ingest queue: ${ids.length - row!.n} of ${ids.length} events not in D1 after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10)); // the poll interval of a condition, not a sleep standing in for one
  }
}

export async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, { headers });
}

export type ErrorJson = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };

/** Catalog upsert with the admin token; asserts success. */
export async function putItems(site: TestSite, items: unknown[]): Promise<void> {
  const res = await exports.default.fetch(`${BASE}/v1/items`, {
    method: "PUT",
    headers: { ...ADMIN, "x-edgerec-key": site.key, "content-type": "application/json" },
    body: JSON.stringify({ items }),
  });
  if (res.status !== 200) throw new Error(`items setup failed: ${res.status} ${await res.text()}`);
}
