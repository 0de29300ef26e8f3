// The simulator's side of the Worker's real HTTP API: one shopper's requests (events with the public write key and
// the shopper's own address, served lists), admin calls, and a capped-concurrency runner.
import { DEMO_SITE_ID, DEMO_WRITE_KEY } from "../../src/config/demo";
import type { Shop, Shopper } from "./visitors";

export type Api = { baseUrl: string; adminToken: string };

/** What scenarios (the experiment, the canary) share. */
export type SimulationContext = { api: Api; shop: Shop; shoppers: Shopper[]; seed: number; log: (s: string) => void };

export type ServedList = { recommendationId: string; modelVersion: string | null; items: { id: string }[] };

/** A request whose status must be one of `expect`; its JSON body (typed by the caller: the API's contract). */
async function respond<T>(url: string, init: RequestInit, expect: readonly number[]): Promise<{ status: number; json: T }> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${init.method ?? "GET"} ${url} -> ${res.status}: ${text.slice(0, 300)}`);
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

async function call<T>(url: string, init: RequestInit, expect: readonly number[]): Promise<T> {
  return (await respond<T>(url, init, expect)).json;
}

/** An admin API call with its status (for callers that accept more than one, such as a 409 to retry). */
export function adminResponse<T>(api: Api, method: string, path: string, body?: unknown, expect: readonly number[] = [200, 201]): Promise<{ status: number; json: T }> {
  return respond<T>(
    `${api.baseUrl}${path}`,
    { method, headers: { authorization: `Bearer ${api.adminToken}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) },
    expect,
  );
}

export async function admin<T>(api: Api, method: string, path: string, body?: unknown, expect: readonly number[] = [200, 201]): Promise<T> {
  return (await adminResponse<T>(api, method, path, body, expect)).json;
}

/**
 * Polls `read` every 250 ms until `done` holds of its value or `timeoutMs` passes; returns the last value and
 * whether it settled. Ingest may count after it answers (a queue), so every "wait until counted" is this.
 */
export async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 120_000): Promise<{ value: T; settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, settled: true };
    if (Date.now() > deadline) return { value, settled: false };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A browser's headers: the public key, the shop's origin, the shopper's own address. */
function browser(api: Api, s: Shopper): Record<string, string> {
  return { "x-edgerec-key": DEMO_WRITE_KEY, origin: new URL(api.baseUrl).origin, "cf-connecting-ip": s.ip, "content-type": "application/json" };
}

export type SimEvent = {
  id: string;
  type: "view" | "impression" | "click" | "add_to_cart" | "purchase";
  anonymousId: string;
  sessionId: string;
  itemId: string;
  ts: number;
  context?: { recommendationId: string; slot: string };
  properties?: Record<string, number>;
};

/** Sends one shopper's events (as the snippet's queue does, in one batch); throws if any is rejected. */
export async function sendEvents(api: Api, s: Shopper, events: SimEvent[]): Promise<void> {
  if (events.length === 0) return;
  const r = await call<{ accepted: number; rejected: unknown[] }>(`${api.baseUrl}/v1/events`, { method: "POST", headers: browser(api, s), body: JSON.stringify({ events }) }, [200]);
  if (r.rejected.length > 0) throw new Error(`events rejected: ${JSON.stringify(r.rejected).slice(0, 300)}`);
}

/** A product page's slot, as the snippet asks for it. */
export function serveSlot(api: Api, s: Shopper, slot: string, sessionId: string, itemId: string, k: number): Promise<ServedList> {
  const q = new URLSearchParams({ slot, sessionId, anonymousId: s.anonymousId, itemId, k: String(k) });
  return call<ServedList>(`${api.baseUrl}/v1/recommendations?${q}`, { headers: browser(api, s) }, [200]);
}

export const SITE = DEMO_SITE_ID;

/** Runs `task` over `inputs` with at most `concurrency` in flight; `onDone` after each. */
export async function runPool<T>(inputs: readonly T[], concurrency: number, task: (x: T, i: number) => Promise<void>, onDone?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, inputs.length) }, async () => {
      while (next < inputs.length) {
        const i = next++;
        await task(inputs[i]!, i);
        onDone?.(++done);
      }
    }),
  );
}
