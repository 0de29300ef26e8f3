import { describe, expect, it, vi } from "vitest";
import { MAX_BATCH_EVENTS, MAX_BEACON_BYTES } from "../../../src/config/limits";
import { eventSchema } from "../../../src/schemas/events";
import { backoffMs, splitBatches } from "../../../src/sdk/batch";
import { browserSignals, personalizationAllowed, trackingAllowed } from "../../../src/sdk/consent";
import { uuid } from "../../../src/sdk/ids";
import { CLIENT_PATH_MAX_ITEMS } from "../../../src/config/limits";
import { extendPath, pathParam, SESSION_IDLE_MS, touchSession } from "../../../src/sdk/session";
import type { ClientEvent } from "../../../src/sdk/types";

const ev = (i: number, pad = 0): ClientEvent => ({
  id: uuid(),
  type: "view",
  anonymousId: "a",
  sessionId: "s",
  itemId: `item-${i}`,
  ts: 1_800_000_000_000,
  ...(pad ? { properties: { pad: "x".repeat(pad) } } : {}),
});

describe("sdk: ids", () => {
  it("makes UUIDs the server accepts, distinct every time", () => {
    const ids = Array.from({ length: 200 }, uuid);
    expect(new Set(ids).size).toBe(200);
    expect(eventSchema.safeParse({ ...ev(1), id: ids[0] }).success).toBe(true);
  });
  it("falls back to getRandomValues where randomUUID is missing (http pages are not a secure context)", () => {
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: (a: Uint8Array<ArrayBuffer>) => real.getRandomValues(a) });
    try {
      const ids = Array.from({ length: 200 }, uuid);
      expect(new Set(ids).size).toBe(200);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(eventSchema.safeParse({ ...ev(1), id: ids[0] }).success).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("sdk: session roll-over", () => {
  const ids = ["s1", "s2", "s3"];
  const next = () => ids.shift()!;
  it("keeps the session while active and starts a new one after 30 idle minutes", () => {
    const t0 = 1_000_000;
    const a = touchSession(null, t0, next);
    const b = touchSession(a, t0 + SESSION_IDLE_MS - 1, next);
    const c = touchSession(b, t0 + 2 * SESSION_IDLE_MS, next);
    expect([a.id, b.id, c.id]).toEqual(["s1", "s1", "s2"]);
    expect(c.last).toBe(t0 + 2 * SESSION_IDLE_MS);
  });
  it("carries the session's path while warm, newest steps kept, and forgets it with the session", () => {
    const t0 = 1_000_000;
    let m = touchSession(null, t0, () => "s1");
    m = extendPath(m, ["a", "b"]);
    m = extendPath(touchSession(m, t0 + 1_000, () => "s2"), ["a"]);
    expect(m).toMatchObject({ id: "s1", p: ["a", "b", "a"] });
    expect(pathParam(m)).toBe("a,b,a");
    const long = extendPath(m, Array.from({ length: 30 }, (_, i) => `i${i}`));
    expect(long.p).toHaveLength(CLIENT_PATH_MAX_ITEMS);
    expect(long.p!.at(-1)).toBe("i29");
    expect(touchSession(m, t0 + 2 * SESSION_IDLE_MS, () => "s3")).toEqual({ id: "s3", last: t0 + 2 * SESSION_IDLE_MS });
    // An id with a comma cannot ride in the list: no path, so the Worker reads the session instead.
    expect(pathParam(extendPath(m, ["x,y"]))).toBeNull();
    expect(pathParam(touchSession(null, t0, () => "s4"))).toBeNull();
  });
  it("starts a new session when the clock jumps far backwards", () => {
    const a = { id: "old", last: 10 * SESSION_IDLE_MS };
    expect(touchSession(a, 5 * SESSION_IDLE_MS, () => "new").id).toBe("new");
  });
});

describe("sdk: consent gate", () => {
  const base = { requireConsent: false, gpc: false, dnt: false, choice: null };
  it("tracks by default, not under GPC, DNT or a site that requires consent", () => {
    expect(trackingAllowed(base)).toBe(true);
    expect(trackingAllowed({ ...base, gpc: true })).toBe(false);
    expect(trackingAllowed({ ...base, dnt: true })).toBe(false);
    expect(trackingAllowed({ ...base, requireConsent: true })).toBe(false);
  });
  it("lets an explicit choice override the signals either way", () => {
    const yes = { analytics: true, personalization: false };
    expect(trackingAllowed({ ...base, gpc: true, choice: yes })).toBe(true);
    expect(personalizationAllowed({ ...base, gpc: true, choice: yes })).toBe(false);
    expect(trackingAllowed({ ...base, choice: { analytics: false, personalization: true } })).toBe(false);
    expect(personalizationAllowed({ ...base, choice: { analytics: false, personalization: true } })).toBe(false);
  });
  it("reads GPC and the Do Not Track spellings", () => {
    expect(browserSignals({ globalPrivacyControl: true } as Navigator & { globalPrivacyControl: boolean }, {})).toEqual({ gpc: true, dnt: false });
    expect(browserSignals({ doNotTrack: "1" } as Navigator, {})).toEqual({ gpc: false, dnt: true });
    expect(browserSignals({ doNotTrack: null } as unknown as Navigator, { doNotTrack: "1" })).toEqual({ gpc: false, dnt: true });
    expect(browserSignals({ doNotTrack: "0" } as Navigator, {})).toEqual({ gpc: false, dnt: false });
  });
});

describe("sdk: batching and backoff", () => {
  it("keeps every request under the beacon limit and the server's batch size, losing nothing", () => {
    const events = Array.from({ length: 900 }, (_, i) => ev(i, i % 3 === 0 ? 400 : 0));
    const batches = splitBatches(events);
    for (const b of batches) {
      expect(new TextEncoder().encode(JSON.stringify({ events: b })).byteLength).toBeLessThanOrEqual(MAX_BEACON_BYTES);
      expect(b.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
    }
    expect(batches.flat().map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(splitBatches([])).toEqual([]);
  });
  it("drops only an event that could never fit in a request", () => {
    const huge = ev(0, MAX_BEACON_BYTES);
    const small = ev(1);
    expect(splitBatches([huge, small])).toEqual([[small]]);
  });
  it("backs off exponentially with jitter, capped", () => {
    expect(backoffMs(0, () => 0)).toBe(500);
    expect(backoffMs(0, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffMs(3, () => 0)).toBe(4000);
    expect(backoffMs(30, () => 0.999)).toBeLessThanOrEqual(60_000);
    const spread = new Set(Array.from({ length: 20 }, () => backoffMs(2)));
    expect(spread.size).toBeGreaterThan(1);
  });
});
