import { describe, expect, it } from "vitest";
import { RequestRefused } from "../../../src/lib/errors";
import { IsolateCache } from "../../../src/lib/isolate-cache";

/** A clock the test moves by hand: expiry without sleeping. */
function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** A loader whose promise the test settles by hand, counting its calls. */
function deferredLoader<V>() {
  const calls: { resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  const loader = () => new Promise<V>((resolve, reject) => calls.push({ resolve, reject }));
  return { loader, calls };
}

/** A cache with a background hook holding "k" = 1 (TTL 100 ms, loaded through a hand-settled loader). */
async function staleReadyCache() {
  const t = clock();
  const started: Promise<unknown>[] = [];
  const c = new IsolateCache<string, number>({ maxEntries: 10, now: t.now, background: (p) => void started.push(p) });
  const { loader, calls } = deferredLoader<number>();
  const first = c.getOrLoad("k", loader, 100, 1_000);
  calls[0]!.resolve(1);
  expect(await first).toBe(1);
  return { t, started, c, loader, calls };
}

describe("IsolateCache", () => {
  it("holds at most maxEntries, evicting the least recently used", () => {
    const c = new IsolateCache<string, number>({ maxEntries: 3 });
    c.set("a", 1, Infinity);
    c.set("b", 2, Infinity);
    c.set("c", 3, Infinity);
    expect(c.get("a")).toBe(1); // a is now the most recently used; b the least
    c.set("d", 4, Infinity);
    expect(c.size).toBe(3);
    expect(c.get("b")).toBeUndefined();
    expect([c.get("a"), c.get("c"), c.get("d")]).toEqual([1, 3, 4]);
    c.set("e", 5, Infinity); // the order is now a, c, d (by last get): a goes
    expect(c.get("a")).toBeUndefined();
  });

  it("re-setting a key refreshes its position and value without growing", () => {
    const c = new IsolateCache<string, number>({ maxEntries: 2 });
    c.set("a", 1, Infinity);
    c.set("b", 2, Infinity);
    c.set("a", 10, Infinity);
    c.set("c", 3, Infinity);
    expect(c.size).toBe(2);
    expect(c.get("a")).toBe(10);
    expect(c.get("b")).toBeUndefined();
  });

  it("keeps an entry hit between a stream of new keys, though a hit in the newer half does not move it", () => {
    const c = new IsolateCache<string, number>({ maxEntries: 10 });
    c.set("hot", 0, Infinity);
    for (let i = 0; i < 100; i++) {
      c.set(`k${i}`, i, Infinity);
      expect(c.get("hot")).toBe(0);
    }
    expect(c.size).toBe(10);
    // Entries that were never hit went in order: only the newest nine besides "hot" are left.
    expect(c.get("k91")).toBe(91);
    expect(c.get("k90")).toBeUndefined();
  });

  it("bounds the total weight too", () => {
    const c = new IsolateCache<string, Uint8Array>({ maxEntries: 100, maxWeight: 10, weigh: (v) => v.byteLength });
    c.set("a", new Uint8Array(4), Infinity);
    c.set("b", new Uint8Array(4), Infinity);
    c.get("a");
    c.set("c", new Uint8Array(4), Infinity); // 12 > 10: b (least recent) goes
    expect([c.has("a"), c.has("b"), c.has("c")]).toEqual([true, false, true]);
    c.delete("a");
    c.set("d", new Uint8Array(6), Infinity); // 4 + 6 = 10 fits once a's weight is given back
    expect([c.has("c"), c.has("d")]).toEqual([true, true]);
  });

  it("expires each entry after its own TTL", () => {
    const t = clock();
    const c = new IsolateCache<string, string>({ maxEntries: 10, now: t.now });
    c.set("short", "s", 1_000);
    c.set("long", "l", 5_000);
    t.advance(999);
    expect(c.get("short")).toBe("s");
    t.advance(1);
    expect(c.has("short")).toBe(false);
    expect(c.get("short")).toBeUndefined();
    expect(c.get("long")).toBe("l");
    t.advance(4_000);
    expect(c.get("long")).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("does not cache a value with a TTL of 0 or less", () => {
    const c = new IsolateCache<string, number>({ maxEntries: 10 });
    c.set("a", 1, Infinity);
    c.set("a", 2, 0);
    expect(c.has("a")).toBe(false);
  });

  it("collapses concurrent loads of one key into one loader call", async () => {
    const c = new IsolateCache<string, number>({ maxEntries: 10 });
    const { loader, calls } = deferredLoader<number>();
    const p1 = c.getOrLoad("k", loader, 1_000);
    const p2 = c.getOrLoad("k", loader, 1_000);
    const other = c.getOrLoad("other", loader, 1_000);
    expect(calls.length).toBe(2); // one for "k", one for "other"
    calls[0]!.resolve(7);
    calls[1]!.resolve(8);
    expect(await Promise.all([p1, p2, other])).toEqual([7, 7, 8]);
    expect(await c.getOrLoad("k", loader, 1_000)).toBe(7); // cached now
    expect(calls.length).toBe(2);
  });

  it("does not cache a failed load: every waiter sees the error, the next call loads again", async () => {
    const c = new IsolateCache<string, number>({ maxEntries: 10 });
    const { loader, calls } = deferredLoader<number>();
    const p1 = c.getOrLoad("k", loader, 1_000);
    const p2 = c.getOrLoad("k", loader, 1_000);
    calls[0]!.reject(new Error("D1 down"));
    await expect(p1).rejects.toThrow("D1 down");
    await expect(p2).rejects.toThrow("D1 down");
    expect(c.has("k")).toBe(false);
    const p3 = c.getOrLoad("k", loader, 1_000);
    expect(calls.length).toBe(2);
    calls[1]!.resolve(3);
    expect(await p3).toBe(3);
  });

  it("a caller that joined a load refused for its starter's own rate limit loads for itself", async () => {
    const c = new IsolateCache<string, number>({ maxEntries: 4 });
    const first = deferredLoader<number>();
    const second = deferredLoader<number>();
    const starter = c.getOrLoad("k", first.loader, Infinity);
    const joiner = c.getOrLoad("k", second.loader, Infinity);
    // The storage layer wraps what a query throws (drizzle): the refusal is found through `cause` too.
    first.calls[0]!.reject(new Error("Failed query", { cause: new RequestRefused(429, "rate_limited", "spent", {}) }));
    await expect(starter).rejects.toThrow("Failed query");
    await Promise.resolve();
    expect(second.calls).toHaveLength(1);
    second.calls[0]!.resolve(7);
    expect(await joiner).toBe(7);
    expect(c.get("k")).toBe(7);
  });

  it("a loader that throws synchronously is a failed load, not a crash of the caller", async () => {
    const c = new IsolateCache<string, number>({ maxEntries: 10 });
    await expect(
      c.getOrLoad("k", () => {
        throw new Error("sync");
      }, 1_000),
    ).rejects.toThrow("sync");
    expect(await c.getOrLoad("k", async () => 1, 1_000)).toBe(1);
  });

  it("takes the TTL from the loaded value (negative caching, or not caching misses)", async () => {
    const t = clock();
    const c = new IsolateCache<string, string | null>({ maxEntries: 10, now: t.now });
    const ttl = (v: string | null) => (v === null ? 0 : 1_000);
    let loads = 0;
    const load = async () => (++loads === 1 ? null : "found");
    expect(await c.getOrLoad("k", load, ttl)).toBeNull();
    expect(await c.getOrLoad("k", load, ttl)).toBe("found"); // the miss was not kept
    expect(await c.getOrLoad("k", load, ttl)).toBe("found");
    expect(loads).toBe(2);
    t.advance(1_000);
    await c.getOrLoad("k", load, ttl);
    expect(loads).toBe(3);
  });

  it("a delete or clear during a load keeps the loaded value out of the cache (it may be stale)", async () => {
    const c = new IsolateCache<string, number>({ maxEntries: 10 });
    const { loader, calls } = deferredLoader<number>();
    const stale = c.getOrLoad("k", loader, 1_000);
    c.delete("k"); // e.g. a consent change saved while the old choice was being read
    const fresh = c.getOrLoad("k", loader, 1_000); // does not join the stale load
    expect(calls.length).toBe(2);
    calls[1]!.resolve(2);
    calls[0]!.resolve(1);
    expect(await stale).toBe(1);
    expect(await fresh).toBe(2);
    expect(c.get("k")).toBe(2);

    const again = c.getOrLoad("j", loader, 1_000);
    c.clear();
    calls[2]!.resolve(9);
    expect(await again).toBe(9);
    expect(c.has("j")).toBe(false);
  });

  it("a set during a load wins over the load (e.g. a manifest just written)", async () => {
    const c = new IsolateCache<string, string>({ maxEntries: 10 });
    const { loader, calls } = deferredLoader<string>();
    const load = c.getOrLoad("m", loader, 1_000);
    c.set("m", "v2", 1_000);
    calls[0]!.resolve("v1");
    expect(await load).toBe("v1");
    expect(c.get("m")).toBe("v2");
  });

  it("a caller stops waiting on a load that never settles (its request was cancelled) and loads itself", async () => {
    const t = clock();
    const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
    const timer = (fn: () => void, ms: number) => {
      const entry = { fn, ms, cancelled: false };
      timers.push(entry);
      return () => void (entry.cancelled = true);
    };
    const c = new IsolateCache<string, number>({ maxEntries: 10, now: t.now, joinTimeoutMs: 2_000, timer });
    const { loader, calls } = deferredLoader<number>();
    void c.getOrLoad("k", loader, 1_000); // request A: its load will never settle
    t.advance(500);
    const b = c.getOrLoad("k", loader, 1_000); // request B joins, for what is left of the deadline
    expect(calls.length).toBe(1);
    expect(timers.map((x) => x.ms)).toEqual([1_500]);
    t.advance(1_500);
    timers[0]!.fn(); // B's deadline: it drops A's load and loads itself
    expect(calls.length).toBe(2);
    calls[1]!.resolve(42);
    expect(await b).toBe(42);
    expect(c.get("k")).toBe(42);
    calls[0]!.resolve(1); // A's load, if it ever settles, no longer fills the cache
    await Promise.resolve();
    expect(c.get("k")).toBe(42);
  });

  it("a load older than the join deadline is not joined at all, and a settled join cancels its timer", async () => {
    const t = clock();
    const timers: { cancelled: boolean }[] = [];
    const timer = () => {
      const entry = { cancelled: false };
      timers.push(entry);
      return () => void (entry.cancelled = true);
    };
    const c = new IsolateCache<string, number>({ maxEntries: 10, now: t.now, joinTimeoutMs: 2_000, timer });
    const { loader, calls } = deferredLoader<number>();
    void c.getOrLoad("stuck", loader, 1_000);
    t.advance(2_000);
    const fresh = c.getOrLoad("stuck", loader, 1_000);
    expect(calls.length).toBe(2); // started afresh, no waiting
    expect(timers.length).toBe(0);
    const joined = c.getOrLoad("stuck", loader, 1_000);
    calls[1]!.resolve(5);
    expect(await Promise.all([fresh, joined])).toEqual([5, 5]);
    expect(timers).toEqual([{ cancelled: true }]);
  });

  it("forgets loads that never settled once there are maxEntries of them", () => {
    const t = clock();
    const c = new IsolateCache<string, number>({ maxEntries: 2, now: t.now, joinTimeoutMs: 2_000, timer: () => () => {} });
    const { loader, calls } = deferredLoader<number>();
    void c.getOrLoad("a", loader, 1_000);
    void c.getOrLoad("b", loader, 1_000);
    t.advance(2_000);
    expect(c.loading).toBe(2);
    void c.getOrLoad("c", loader, 1_000); // a and b are past the deadline: dropped
    expect(c.loading).toBe(1);
    expect(calls.length).toBe(3);
  });

  it("serves an expired value within staleMs at once while one background load replaces it", async () => {
    const { t, started, c, loader, calls } = await staleReadyCache();
    t.advance(150); // expired, within the stale window
    expect(c.has("k", 1_000)).toBe(true);
    expect(c.has("k")).toBe(false);
    expect(await c.getOrLoad("k", loader, 100, 1_000)).toBe(1); // answered without waiting
    expect(await c.getOrLoad("k", loader, 100, 1_000)).toBe(1); // the refresh in flight is not started twice
    expect(calls).toHaveLength(2);
    expect(started).toHaveLength(1);
    calls[1]!.resolve(2);
    await started[0];
    expect(await c.getOrLoad("k", loader, 100, 1_000)).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it("a failed background refresh keeps the stale value until the stale window ends, then loads in the request", async () => {
    const { t, started, c, loader, calls } = await staleReadyCache();
    t.advance(150);
    expect(await c.getOrLoad("k", loader, 100, 1_000)).toBe(1);
    calls[1]!.reject(new Error("d1 down"));
    await started[0]; // swallowed: nobody awaits a background refresh's error
    expect(await c.getOrLoad("k", loader, 100, 1_000)).toBe(1);
    t.advance(1_000); // past expiry + staleMs: the caller waits for a fresh load
    const late = c.getOrLoad("k", loader, 100, 1_000);
    calls.at(-1)!.resolve(3);
    expect(await late).toBe(3);
  });

  it("ignores staleMs without a background hook (nothing could keep the refresh alive)", async () => {
    const t = clock();
    const c = new IsolateCache<string, number>({ maxEntries: 10, now: t.now });
    c.set("k", 1, 100);
    t.advance(150);
    expect(c.has("k", 1_000)).toBe(false);
    expect(await c.getOrLoad("k", async () => 2, 100, 1_000)).toBe(2);
  });

  it("refuses a bound below one entry", () => {
    expect(() => new IsolateCache<string, number>({ maxEntries: 0 })).toThrow(RangeError);
  });
});
