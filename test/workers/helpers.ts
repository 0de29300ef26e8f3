// Shared helpers for tests inside workerd: a fresh site per test, event builders, JSON fetch.
import { exports } from "cloudflare:workers";

export const ADMIN = { authorization: "Bearer test-admin-token" };
export const BASE = "https://edgerec.test";

/** A test site: its public write key (`key`), secret server key and identity secret. */
export type TestSite = { id: string; key: string; serverKey: string; identitySecret: string; origin: string };

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
  return exports.default.fetch(url, { method: "POST", headers, body: init.body ?? JSON.stringify({ events }) });
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
