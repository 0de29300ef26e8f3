// The npm package's entry (src/sdk/index.ts) in Node with small browser stubs: createTracker's endpoint handling, its
// methods mapped onto the shared tracker, recommend()'s request, and page-hide delivery. The built module itself runs
// in Chromium in test/browser/sdk-package.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eventSchema } from "../../../src/schemas/events";
import { createTracker } from "../../../src/sdk/index";
import type { ClientEvent } from "../../../src/sdk/types";

type Sent = { url: string; body: string };
let requests: Sent[];
let beacons: Sent[];
let storage: Map<string, string>;
/** Listeners the tracker added to window and document, by event name. */
let listeners: Map<string, (() => void)[]>;
let visibility: "visible" | "hidden";
/** What the next fetch answers. */
let status: number;
let replyBody: string;

const on = (type: string, fn: () => void) => listeners.set(type, [...(listeners.get(type) ?? []), fn]);
const fire = (type: string) => (listeners.get(type) ?? []).forEach((fn) => fn());
const eventsIn = (s: Sent) => (JSON.parse(s.body) as { events: ClientEvent[] }).events;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
  requests = [];
  beacons = [];
  storage = new Map();
  listeners = new Map();
  visibility = "visible";
  status = 200;
  replyBody = "{}";
  vi.stubGlobal("localStorage", {
    getItem: (k: string) => storage.get(k) ?? null,
    setItem: (k: string, v: string) => storage.set(k, v),
    removeItem: (k: string) => storage.delete(k),
  });
  vi.stubGlobal("location", { href: "https://app.example/p/1" });
  vi.stubGlobal("window", {});
  vi.stubGlobal("addEventListener", on);
  vi.stubGlobal("document", {
    title: "App",
    referrer: "",
    addEventListener: on,
    get visibilityState() {
      return visibility;
    },
  });
  vi.stubGlobal("screen", { width: 390, height: 844 });
  vi.stubGlobal("navigator", {
    userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148",
    language: "de-DE",
    sendBeacon: (url: string, body: string) => {
      beacons.push({ url, body });
      return true;
    },
  });
  vi.stubGlobal("fetch", (url: string, init?: RequestInit) => {
    requests.push({ url, body: String(init?.body ?? "") });
    return Promise.resolve(new Response(replyBody, { status }));
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("createTracker", () => {
  it("sends to the endpoint's origin: a path is ignored, a relative endpoint is this page's origin", async () => {
    for (const [endpoint, origin] of [
      ["https://recs.example.com/some/path/", "https://recs.example.com"],
      ["/", "https://app.example"],
    ] as const) {
      requests = [];
      const t = createTracker({ endpoint, key: "pk_test" });
      t.page();
      await t.flush();
      expect(requests.map((r) => r.url)).toEqual([`${origin}/v1/events?key=pk_test`]);
    }
  });

  it("maps page, track and identify onto events the Worker's schema accepts, in one batch", async () => {
    const t = createTracker({ endpoint: "https://recs.example.com", key: "pk_test" });
    t.page({ itemId: "sku-1" });
    t.track("add_to_cart", { itemId: "sku-1", properties: { price: 10 } });
    t.identify("user-42", { userHash: "ab".repeat(32) });
    await vi.advanceTimersByTimeAsync(300);
    expect(requests).toHaveLength(1);
    const sent = eventsIn(requests[0]!);
    expect(sent.map((e) => [e.type, e.itemId, e.userId])).toEqual([
      ["view", "sku-1", undefined],
      ["add_to_cart", "sku-1", undefined],
      ["identify", undefined, "user-42"],
    ]);
    expect(sent[2]!.userHash).toBe("ab".repeat(32));
    expect(sent[0]!.context).toMatchObject({ url: "https://app.example/p/1", device: "mobile", locale: "de-DE" });
    for (const e of sent) expect(eventSchema.safeParse(e).success).toBe(true);
  });

  it("recommend() asks for this visitor's list and resolves to it; a non-2xx answer rejects", async () => {
    const t = createTracker({ endpoint: "https://recs.example.com", key: "pk_test" });
    const list = { recommendationId: "r-1", modelVersion: "v1", slot: "product", items: [{ id: "sku-2", score: 1, reason: { kind: "trending", text: "Popular" } }] };
    replyBody = JSON.stringify(list);
    expect(await t.recommend({ slot: "product", k: 4, itemId: "sku-1" })).toEqual(list);
    const url = new URL(requests[0]!.url);
    expect(url.origin + url.pathname).toBe("https://recs.example.com/v1/recommendations");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ key: "pk_test", slot: "product", k: "4", itemId: "sku-1", anonymousId: storage.get("edgerec:aid") });
    status = 503;
    await expect(t.recommend()).rejects.toThrow("edgerec: recommendations 503");
    expect(new URL(requests[1]!.url).searchParams.get("slot")).toBe("default");
  });

  it("with requireConsent holds events in memory until consent, which sends them", async () => {
    const t = createTracker({ endpoint: "https://recs.example.com", key: "pk_test", requireConsent: true });
    t.page({ itemId: "sku-1" });
    await t.flush();
    expect(requests).toEqual([]);
    expect([...storage.keys()]).toEqual([]);
    t.consent({ analytics: true });
    await t.flush();
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(["/v1/consent", "/v1/events"]);
    expect(eventsIn(requests[1]!).map((e) => e.itemId)).toEqual(["sku-1"]);
  });

  it("hands what is queued to a beacon when the page is hidden", () => {
    const t = createTracker({ endpoint: "https://recs.example.com", key: "pk_test" });
    t.page({ itemId: "sku-1" });
    visibility = "hidden";
    fire("visibilitychange");
    expect(beacons.map((b) => [b.url, eventsIn(b).map((e) => e.type)])).toEqual([["https://recs.example.com/v1/events?key=pk_test", ["view"]]]);
    expect(requests).toEqual([]);
  });
});
