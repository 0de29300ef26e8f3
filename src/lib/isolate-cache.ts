// The one isolate-memory cache: (nearly) least-recently-used eviction over a bounded number of entries (optionally a bounded
// total weight, e.g. bytes), a TTL per entry, and getOrLoad that collapses concurrent loads of one key. Pure.
import { ISOLATE_CACHE_JOIN_MS } from "../config/limits";
import { refusalOf } from "./errors";

export type IsolateCacheOptions<V> = {
  /** At most this many entries; the least recently used go first. */
  maxEntries: number;
  /** Optional bound on the summed `weigh(value)` (e.g. decoded bytes); evicts least recently used beyond it. */
  maxWeight?: number;
  weigh?: (value: V) => number;
  /** The clock (ms). Tests inject one to expire entries without sleeping. */
  now?: () => number;
  /** How long a caller waits on another caller's load before loading itself (default ISOLATE_CACHE_JOIN_MS). */
  joinTimeoutMs?: number;
  /** Runs `fn` after `ms` in the caller's own request; returns a cancel. Tests inject one to fire it by hand. */
  timer?: (fn: () => void, ms: number) => () => void;
  /**
   * Keeps a refresh alive past the request that started it (the Worker passes `waitUntil`): with it, getOrLoad's
   * `staleMs` serves an expired value while one background load replaces it.
   */
  background?: (work: Promise<unknown>) => void;
};

const defaultTimer = (fn: () => void, ms: number): (() => void) => {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
};

/** How long a loaded value stays: a number of ms, or a function of the value; 0 or less means "do not cache". */
export type Ttl<V> = number | ((value: V) => number);

/** `touched`: the cache's clock when the entry last moved to the most-recent end (see lookup). */
type Entry<V> = { value: V; expires: number; weight: number; touched: number };
type Load<V> = { promise: Promise<V>; startedAt: number };

export class IsolateCache<K, V> {
  // Map iteration order is insertion order; a hit re-inserts its entry, so the first key is the least recently used.
  private readonly entries = new Map<K, Entry<V>>();
  private readonly loads = new Map<K, Load<V>>();
  private weight = 0;
  /** Counts stores and moves: how far an entry has drifted from the most-recent end since it last moved. */
  private clock = 0;
  private readonly maxEntries: number;
  private readonly maxWeight: number;
  private readonly weigh: (value: V) => number;
  private readonly now: () => number;
  private readonly joinTimeoutMs: number;
  private readonly timer: (fn: () => void, ms: number) => () => void;
  private readonly background: ((work: Promise<unknown>) => void) | undefined;

  constructor(opts: IsolateCacheOptions<V>) {
    if (!(opts.maxEntries >= 1)) throw new RangeError("maxEntries must be at least 1");
    this.maxEntries = opts.maxEntries;
    this.maxWeight = opts.maxWeight ?? Infinity;
    this.weigh = opts.weigh ?? (() => 0);
    this.now = opts.now ?? Date.now;
    this.joinTimeoutMs = opts.joinTimeoutMs ?? ISOLATE_CACHE_JOIN_MS;
    this.timer = opts.timer ?? defaultTimer;
    this.background = opts.background;
  }

  /** Entries held (expired ones may still count until they are touched or evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** Loads in flight (records of loads that may never settle included, until they are dropped). */
  get loading(): number {
    return this.loads.size;
  }

  /** The cached value (a hit marks it most recently used), or undefined when absent or expired. */
  get(key: K): V | undefined {
    return this.lookup(key)?.value;
  }

  /** Whether a value is cached that getOrLoad with this `staleMs` would answer at once (LRU position untouched). */
  has(key: K, staleMs = 0): boolean {
    const e = this.entries.get(key);
    return e !== undefined && e.expires + this.staleWindow(staleMs) > this.now();
  }

  /**
   * Caches `value` for `ttlMs` (Infinity: until evicted), evicting least recently used entries beyond the bounds.
   * A load of the key in flight no longer fills the cache: what is set here is the newer word.
   */
  set(key: K, value: V, ttlMs: number): void {
    this.loads.delete(key);
    this.store(key, value, ttlMs);
  }

  private store(key: K, value: V, ttlMs: number): void {
    this.remove(key);
    if (!(ttlMs > 0)) return;
    const weight = this.weigh(value);
    this.entries.set(key, { value, expires: this.now() + ttlMs, weight, touched: ++this.clock });
    this.weight += weight;
    for (const [k] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.weight <= this.maxWeight) break;
      this.remove(k);
    }
  }

  /** Drops the key; a load of it in flight still answers its callers but no longer fills the cache. */
  delete(key: K): void {
    this.remove(key);
    this.loads.delete(key);
  }

  /** Drops everything, including the right of in-flight loads to fill the cache. */
  clear(): void {
    this.entries.clear();
    this.loads.clear();
    this.weight = 0;
  }

  /**
   * The cached value, or the loader's: concurrent callers for one key share one load. A failed load is not cached
   * (the next call tries again), and neither is a value whose `ttl` is 0 or less (e.g. a miss that may soon exist).
   *
   * Workers: the shared load runs in the request that started it. If that request is cancelled (its client went
   * away), its I/O may never settle, and a plain shared promise would hang every later caller of the key in this
   * isolate (workerd's cross-request promise cancellation). So a caller waits on another's load at most
   * `joinTimeoutMs` after it started, then drops it and loads itself.
   *
   * `staleMs` (with the `background` option): for this long after a value expires it is still answered at once,
   * while one load in the background (`background`) replaces it; a failed refresh leaves the stale value, which then
   * expires for good. Without `background` it is ignored.
   */
  getOrLoad(key: K, loader: () => Promise<V>, ttl: Ttl<V>, staleMs = 0): Promise<V> {
    const hit = this.lookup(key, this.staleWindow(staleMs));
    if (hit) {
      const pending = this.loads.get(key);
      const refreshing = pending !== undefined && pending.startedAt + this.joinTimeoutMs > this.now();
      if (hit.expires <= this.now() && !refreshing) this.background!(this.start(key, loader, ttl).catch(() => undefined));
      return Promise.resolve(hit.value);
    }
    const pending = this.loads.get(key);
    if (pending) {
      const left = pending.startedAt + this.joinTimeoutMs - this.now();
      if (left > 0) return this.join(key, pending, left, loader, ttl);
      this.loads.delete(key); // too old to trust: start afresh
    }
    return this.start(key, loader, ttl);
  }

  private join(key: K, pending: Load<V>, waitMs: number, loader: () => Promise<V>, ttl: Ttl<V>): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const cancel = this.timer(() => {
        if (this.loads.get(key) === pending) this.loads.delete(key);
        this.getOrLoad(key, loader, ttl).then(resolve, reject);
      }, waitMs);
      pending.promise.then(
        (v) => {
          cancel();
          resolve(v);
        },
        (err: unknown) => {
          cancel();
          // The starter's own refusal (its rate limit, src/lib/admission.ts) is not this caller's: load afresh.
          if (refusalOf(err)) this.getOrLoad(key, loader, ttl).then(resolve, reject);
          else reject(err);
        },
      );
    });
  }

  private start(key: K, loader: () => Promise<V>, ttl: Ttl<V>): Promise<V> {
    const load: Load<V> = {
      startedAt: this.now(),
      // new Promise also turns a loader that throws synchronously into a rejected load.
      promise: new Promise<V>((resolve) => resolve(loader())).then(
        (value) => {
          // Only the current load may fill the cache: a delete() or clear() meanwhile means the value may be stale.
          if (this.loads.get(key) === load) {
            this.loads.delete(key);
            this.store(key, value, typeof ttl === "function" ? ttl(value) : ttl);
          }
          return value;
        },
        (err: unknown) => {
          if (this.loads.get(key) === load) this.loads.delete(key);
          throw err;
        },
      ),
    };
    // Loads whose request was cancelled may never settle; forget those past the join deadline (loads are kept in start
    // order) so the in-flight records stay bounded as well.
    if (this.loads.size >= this.maxEntries) {
      for (const [k, l] of this.loads) {
        if (l.startedAt + this.joinTimeoutMs > load.startedAt) break;
        this.loads.delete(k);
      }
    }
    this.loads.set(key, load);
    return load.promise;
  }

  /** How long past expiry a value may be answered: only with a background hook to refresh it. */
  private staleWindow(staleMs: number): number {
    return this.background ? staleMs : 0;
  }

  private lookup(key: K, staleMs = 0): Entry<V> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires + staleMs <= this.now()) {
      this.remove(key);
      return undefined;
    }
    // A hit moves its entry to the most-recent end only once it may have drifted into the older half (at least
    // size / 2 stores or moves since it last moved; fewer, and at most that many entries are newer, so it is not
    // near the eviction end): the delete and re-insert per hit was the largest single cost of a cold list, which
    // looks up dozens of entries per request.
    if (this.clock - e.touched >= this.entries.size >> 1) {
      this.entries.delete(key);
      this.entries.set(key, e);
      e.touched = ++this.clock;
    }
    return e;
  }

  private remove(key: K): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.weight -= e.weight;
  }
}
