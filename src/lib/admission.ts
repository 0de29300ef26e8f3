// Rate limits guard what costs: a /v1 request is charged to its limiters (src/lib/rate-limit.ts) at its first touch
// of storage — D1, KV, a Durable Object, the queue, R2 — not before. A request answered wholly from the isolate's
// memory (a cached list, a 400 for a bad parameter) costs what any unknown path costs, which no limiter guards
// either, so it spends no budget and makes no limiter call (one RPC per limiter per request, the largest share of a
// cached read's CPU in Miniflare).
import { AsyncLocalStorage } from "node:async_hooks";

/** The current request's admission: checked once, on first use; rejects (RequestRefused) when a limit is spent. */
type Admission = () => Promise<void>;

const current = new AsyncLocalStorage<Admission>();

/**
 * Runs `fn` (the rest of the request) with a lazy admission: `check` runs at the first storage call made through
 * admittedEnv's bindings, at most once, and its rejection becomes that call's (and so the request's) error.
 */
export function runAdmitted<T>(check: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
  let admitted: Promise<void> | undefined;
  return current.run(() => (admitted ??= check()), fn);
}

/** Waits for the current request's admission; outside an admitted request (cron, queue, admin) there is none. */
function admit(): Promise<void> | undefined {
  return current.getStore()?.();
}

/** Runs `call` once the current request is admitted (at once when there is nothing to wait for). */
function afterAdmission<R>(call: () => Promise<R>): Promise<R> {
  const wait = admit();
  return wait ? wait.then(call) : call();
}

// One wrapper per binding object for the isolate's life, so wrappers are stable (database() memoises drizzle on it).
const wrappers = new WeakMap<object, object>();
const statements = new WeakMap<object, D1PreparedStatement>();

function once<T extends object>(target: T, wrap: (t: T) => T): T {
  let w = wrappers.get(target) as T | undefined;
  if (!w) wrappers.set(target, (w = wrap(target)));
  return w;
}

/**
 * A proxy of `target` whose methods wait for admission, except those `own` answers for itself (undefined: the
 * default). Reflect.apply, never v.apply: on an RPC stub's method, `.apply` would itself be a remote property.
 */
function admitted<T extends object>(target: T, own: (t: T, prop: string | symbol) => unknown = () => undefined): T {
  return new Proxy(target, {
    get(t, prop) {
      const special = own(t, prop);
      if (special !== undefined) return special;
      const v = Reflect.get(t, prop, t) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => afterAdmission(() => Reflect.apply(v, t, args) as Promise<unknown>);
    },
  });
}

/** KV namespaces, R2 buckets, queues and Durable Object stubs: every method is a storage call. */
const asyncMethods = <T extends object>(target: T): T => admitted(target);

/** A D1 statement: `bind` hands out another wrapped statement; first/all/run/raw wait. */
function statement(s: D1PreparedStatement): D1PreparedStatement {
  const w = admitted(s, (t, prop) => (prop === "bind" ? (...args: unknown[]) => statement(t.bind(...args)) : undefined));
  statements.set(w, s);
  return w;
}

function d1(db: D1Database): D1Database {
  return admitted(db, (t, prop) => {
    if (prop === "prepare") return (sql: string) => statement(t.prepare(sql));
    // The binding's batch reads its statements' internals: hand it the originals.
    if (prop === "batch") return (list: D1PreparedStatement[]) => afterAdmission(() => t.batch(list.map((s) => statements.get(s) ?? s)));
    return undefined;
  });
}

/** get / getByName hand out stubs, whose calls are the storage access; ids are pure and pass through. */
function durableObjects<T extends DurableObjectNamespace>(ns: T): T {
  return new Proxy(ns, {
    get(t, prop) {
      const v = Reflect.get(t, prop, t) as unknown;
      if (typeof v !== "function") return v;
      if (prop === "get" || prop === "getByName") return (...args: unknown[]) => asyncMethods(Reflect.apply(v, t, args) as object);
      return (...args: unknown[]) => Reflect.apply(v, t, args) as unknown;
    },
  });
}

/**
 * The bindings as a request under runAdmitted sees them: every storage binding waits for admission; the limiters
 * themselves, secrets and variables pass through. Built once per env object.
 */
export function admittedEnv(env: Env): Env {
  return once(env, (e) => ({
    ...e,
    DB: once(e.DB, d1),
    MODELS: once(e.MODELS, asyncMethods),
    REC_CACHE: once(e.REC_CACHE, asyncMethods),
    SESSIONS: once(e.SESSIONS, durableObjects),
    INGEST_QUEUE: once(e.INGEST_QUEUE, asyncMethods),
    ARCHIVE: once(e.ARCHIVE, asyncMethods),
  }));
}
