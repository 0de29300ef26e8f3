// The snippet's event queue in Node: browser globals are small stubs, time is vitest's fake clock, and every request
// the tracker makes is recorded, so these tests see exactly what would go on the wire and what stays stored.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eventSchema } from "../../../src/schemas/events";
import { SESSION_IDLE_MS } from "../../../src/sdk/session";
import { Tracker } from "../../../src/sdk/tracker";
import type { ClientEvent } from "../../../src/sdk/types";

const ENDPOINT = "https://edgerec.test";
const KEY = "pk_test";

class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, String(v));
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

type Sent = { url: string; body: string };
let storage: MemoryStorage;
let requests: Sent[];
let beacons: Sent[];
/** What the next fetch answers: a status, "network" (rejects), "hang" (never settles) or "limited" (429, Retry-After: 60). */
let answers: (number | "network" | "hang" | "limited")[];
/** The body every answered fetch carries. */
let replyBody: string;

function events(s: Sent): ClientEvent[] {
  return (JSON.parse(s.body) as { events: ClientEvent[] }).events;
}
const eventPosts = () => requests.filter((r) => r.url.includes("/v1/events"));
const stored = () => JSON.parse(storage.getItem("edgerec:q") ?? "[]") as ClientEvent[];

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
  vi.spyOn(Math, "random").mockReturnValue(0);
  storage = new MemoryStorage();
  requests = [];
  beacons = [];
  answers = [];
  replyBody = "{}";
  vi.stubGlobal("localStorage", storage);
  vi.stubGlobal("location", { href: "https://shop.example/p/1" });
  vi.stubGlobal("document", { title: "Shop", referrer: "" });
  vi.stubGlobal("screen", { width: 1280, height: 800 });
  vi.stubGlobal("navigator", {
    userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
    language: "en-GB",
    sendBeacon: (url: string, body: string) => {
      beacons.push({ url, body });
      return true;
    },
  });
  vi.stubGlobal("fetch", (url: string, init: RequestInit) => {
    requests.push({ url, body: String(init.body) });
    const a = answers.shift() ?? 200;
    if (a === "network") return Promise.reject(new TypeError("Failed to fetch"));
    if (a === "hang") return new Promise<Response>(() => {});
    if (a === "limited") return Promise.resolve(new Response(replyBody, { status: 429, headers: { "retry-after": "60" } }));
    return Promise.resolve(new Response(replyBody, { status: a }));
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const tracker = (signals: Partial<{ requireConsent: boolean; gpc: boolean; dnt: boolean }> = {}) =>
  new Tracker(ENDPOINT, KEY, { requireConsent: false, gpc: false, dnt: false, ...signals });

describe("sdk tracker: queue and delivery", () => {
  it("stores events first-party and sends a burst as one batch the server's schema accepts", async () => {
    const t = tracker();
    t.track("view", { itemId: "sku-1" });
    t.track("add_to_cart", { itemId: "sku-1", properties: { qty: 2 } });
    expect(requests).toEqual([]);
    expect(stored()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(300);
    expect(eventPosts()).toHaveLength(1);
    expect(eventPosts()[0]!.url).toBe(`${ENDPOINT}/v1/events?key=${KEY}`);
    const batch = events(eventPosts()[0]!);
    expect(batch.map((e) => [e.type, e.itemId])).toEqual([["view", "sku-1"], ["add_to_cart", "sku-1"]]);
    for (const e of batch) expect(eventSchema.safeParse(e).success).toBe(true);
    expect(new Set(batch.map((e) => e.anonymousId)).size).toBe(1);
    expect(batch[0]!.context).toMatchObject({ url: "https://shop.example/p/1", device: "desktop", locale: "en-GB" });
    expect(stored()).toEqual([]);
  });

  it("retries 5xx and network errors with the same ids after a growing backoff that new events do not cut short", async () => {
    const t = tracker();
    answers = [503, "network", 200];
    t.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(300);
    expect(eventPosts()).toHaveLength(1);
    const first = events(eventPosts()[0]!).map((e) => e.id);
    expect(stored().map((e) => e.id)).toEqual(first);
    // Math.random is 0: backoff is 500 ms after the first failure, 1000 ms after the second.
    t.track("view", { itemId: "b" });
    await vi.advanceTimersByTimeAsync(499);
    expect(eventPosts()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(eventPosts()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(eventPosts()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(eventPosts()).toHaveLength(3);
    const last = events(eventPosts()[2]!);
    expect(last.map((e) => e.id).slice(0, 1)).toEqual(first);
    expect(last.map((e) => e.itemId)).toEqual(["a", "b"]);
    expect(stored()).toEqual([]);
  });

  it("waits at least as long as a 429's Retry-After before sending the batch again", async () => {
    const t = tracker();
    answers = ["limited", 200];
    t.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(300);
    expect(eventPosts()).toHaveLength(1);
    // The backoff alone would retry after 500 ms; the Worker asked for 60 s.
    await vi.advanceTimersByTimeAsync(59_999);
    expect(eventPosts()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(eventPosts()).toHaveLength(2);
    expect(stored()).toEqual([]);
  });

  it("drops a batch the server refuses with a 4xx instead of retrying it forever", async () => {
    const t = tracker();
    answers = [400];
    t.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(300);
    expect(stored()).toEqual([]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(eventPosts()).toHaveLength(1);
  });

  it("keeps failed events across a reload: the next page sends them with their original ids and visitor", async () => {
    const before = tracker();
    answers = [503];
    before.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(300);
    const failed = stored();
    expect(failed).toHaveLength(1);
    // The page goes away (its timers with it); a new page on the same origin starts a new tracker.
    vi.clearAllTimers();
    const after = tracker();
    expect(after.anonymousId).toBe(failed[0]!.anonymousId);
    await after.flush();
    expect(events(eventPosts()[1]!)).toEqual(failed);
    expect(stored()).toEqual([]);
  });

  it("on page hide hands unsent events to sendBeacon as text and never sends an in-flight event twice", async () => {
    const t = tracker();
    answers = ["hang"];
    t.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(300);
    t.track("click", { itemId: "b", recommendationId: "rec-1", slot: "home" });
    t.beacon();
    expect(beacons).toHaveLength(1);
    expect(typeof beacons[0]!.body).toBe("string");
    expect(events(beacons[0]!).map((e) => e.itemId)).toEqual(["b"]);
    expect(events(beacons[0]!)[0]!.context).toMatchObject({ recommendationId: "rec-1", slot: "home" });
    // A hidden tab may come back: the in-flight view stays stored until its answer, unless the page really goes.
    expect(stored().map((e) => e.itemId)).toEqual(["a"]);
    t.beacon(true);
    expect(beacons).toHaveLength(1);
    expect(stored()).toEqual([]);
  });

  it("starts a new session after 30 idle minutes and keeps it while the visitor is active", async () => {
    const t = tracker();
    t.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(SESSION_IDLE_MS - 1000);
    t.track("view", { itemId: "b" });
    await vi.advanceTimersByTimeAsync(SESSION_IDLE_MS + 1);
    t.track("view", { itemId: "c" });
    await vi.advanceTimersByTimeAsync(300);
    const sessions = eventPosts().flatMap(events).map((e) => e.sessionId);
    expect(sessions).toHaveLength(3);
    expect(sessions[0]).toBe(sessions[1]);
    expect(sessions[2]).not.toBe(sessions[1]);
  });
});

describe("sdk tracker: identity", () => {
  it("sends the backend's proof with every event of an identified user, and drops it with the user", async () => {
    const t = tracker();
    const proof = "ab".repeat(32);
    t.identify("user-9", proof);
    t.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(300);
    const sent = eventPosts().flatMap(events);
    expect(sent.map((e) => [e.type, e.userId, e.userHash])).toEqual([
      ["identify", "user-9", proof],
      ["view", "user-9", proof],
    ]);
    expect(sent.every((e) => eventSchema.safeParse(e).success)).toBe(true);
    // Identifying as someone else without a proof must not reuse the previous user's proof.
    t.identify("user-10");
    await vi.advanceTimersByTimeAsync(300);
    const last = eventPosts().flatMap(events).at(-1)!;
    expect([last.userId, last.userHash]).toEqual(["user-10", undefined]);
  });
});

describe("sdk tracker: consent", () => {
  it("on a require-consent site stores and sends nothing before the choice, then everything after a yes", async () => {
    const t = tracker({ requireConsent: true });
    t.track("view", { itemId: "a" });
    t.identify("user-1");
    await vi.advanceTimersByTimeAsync(5000);
    expect(requests).toEqual([]);
    expect(storage.map.size).toBe(0);
    t.consent({ analytics: true, personalization: false });
    await vi.advanceTimersByTimeAsync(300);
    const consent = requests.find((r) => r.url.includes("/v1/consent"));
    expect(JSON.parse(consent!.body)).toMatchObject({ analytics: true, personalization: false, anonymousId: t.anonymousId, userId: "user-1" });
    const sent = eventPosts().flatMap(events);
    expect(sent.map((e) => e.type)).toEqual(["view", "identify"]);
    expect(sent.every((e) => e.userId === "user-1" && eventSchema.safeParse(e).success)).toBe(true);
    expect(storage.getItem("edgerec:aid")).toBe(t.anonymousId);
    expect(t.personalized).toBe(false);
  });

  it("after a no on a require-consent site sends nothing at all and keeps only the refusal", async () => {
    const t = tracker({ requireConsent: true });
    t.track("view", { itemId: "a" });
    t.consent({ analytics: false, personalization: false });
    t.track("view", { itemId: "b" });
    t.beacon(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toEqual([]);
    expect(beacons).toEqual([]);
    expect([...storage.map.keys()]).toEqual(["edgerec:consent"]);
    // The next page remembers the refusal.
    tracker({ requireConsent: false }).track("view");
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests).toEqual([]);
  });

  it("tracks nothing under Global Privacy Control or Do Not Track unless the visitor says yes", async () => {
    for (const signal of [{ gpc: true }, { dnt: true }]) {
      storage.map.clear();
      requests = [];
      const t = tracker(signal);
      t.track("view", { itemId: "a" });
      t.beacon(true);
      await vi.advanceTimersByTimeAsync(1000);
      expect(requests).toEqual([]);
      expect(storage.map.size).toBe(0);
      t.consent({ analytics: true, personalization: true });
      t.track("view", { itemId: "b" });
      await vi.advanceTimersByTimeAsync(300);
      expect(eventPosts().flatMap(events).map((e) => e.itemId)).toEqual(["b"]);
    }
  });

  it("a later no tells the Worker under the id it knows, and deletes the stored ids and queue", async () => {
    const t = tracker();
    answers = [503];
    t.track("view", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(300);
    const known = t.anonymousId;
    t.consent({ analytics: false, personalization: false });
    const consent = requests.find((r) => r.url.includes("/v1/consent"));
    expect(JSON.parse(consent!.body)).toMatchObject({ anonymousId: known, analytics: false });
    expect([...storage.map.keys()]).toEqual(["edgerec:consent"]);
    t.track("view", { itemId: "b" });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(eventPosts()).toHaveLength(1);
  });

  it("keeps the consent receipt next to the anonymous id and sends it with the next change", async () => {
    const t = tracker();
    replyBody = JSON.stringify({ receipt: "receipt-1" });
    t.consent({ analytics: true, personalization: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(storage.getItem("edgerec:cr")).toBe("receipt-1");
    expect(storage.getItem("edgerec:aid")).toBe(t.anonymousId);
    replyBody = JSON.stringify({ receipt: "receipt-2" });
    t.consent({ analytics: true, personalization: false });
    await vi.advanceTimersByTimeAsync(0);
    const sent = requests.filter((r) => r.url.includes("/v1/consent")).map((r) => JSON.parse(r.body) as { receipt?: string });
    expect(sent.map((b) => b.receipt)).toEqual([undefined, "receipt-1"]);
    expect(storage.getItem("edgerec:cr")).toBe("receipt-2");
  });

  it("a no with erase: true sends the receipt and asks for erasure, then forgets the receipt with the ids", async () => {
    const t = tracker();
    replyBody = JSON.stringify({ receipt: "receipt-1" });
    t.consent({ analytics: true, personalization: true });
    await vi.advanceTimersByTimeAsync(0);
    const known = t.anonymousId;
    replyBody = JSON.stringify({ receipt: "receipt-2" });
    t.consent({ analytics: false, erase: true });
    await vi.advanceTimersByTimeAsync(0);
    const last = JSON.parse(requests.filter((r) => r.url.includes("/v1/consent")).at(-1)!.body) as Record<string, unknown>;
    expect(last).toMatchObject({ anonymousId: known, analytics: false, personalization: false, erase: true, receipt: "receipt-1" });
    expect([...storage.map.keys()]).toEqual(["edgerec:consent"]);
  });
});

