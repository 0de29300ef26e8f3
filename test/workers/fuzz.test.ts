// A hostile client, generated: property-based fuzzing (fast-check, fixed seed, bounded runs) of every route and
// method with mutated path params, query strings, JSON bodies and headers under every kind of credential. The
// properties: no answer is ever a 5xx, and every 4xx is JSON {error:{code,message}}; the share of 4xx answers that
// name the field we broke is measured and printed with the other figures.
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SDK_VERSION } from "../../src/sdk-dist/bundle.generated";
import { ADMIN, BASE, createSite, event, putItems, serverHeaders, userHash, type TestSite } from "./helpers";

const SEED = 20261201;

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

const LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"];
const SPICE = [
  "😀", "👩‍👩‍👧‍👦", "🇫🇷", "漢字", "ㅋㅋ", "ﷺ", "\u0301", "\u0000", "\u001f", "\u007f", "\u202e", "\u200b", "\ufeff", "\uffff",
  "%", "%00", "/", "..", "\\", '"', "'", "<script>", "?", "#", "&", "=", ",", "+", " ", "\t", "\n", "__proto__", "constructor",
];
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
  { weight: 3, arbitrary: fc.constantFrom(...SPICE) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
);
/**
 * A tiny alphabet draws distinct strings that storage may turn into one (a lone surrogate stored through SQLite
 * reads back as U+FFFD characters), so id uniqueness downstream gets tested.
 */
const collisionProne = fc.string({ unit: fc.constantFrom("x", "\ud800", "\udbff", "\udc00", "\ufffd"), minLength: 1, maxLength: 3 });
/** Short junk, or a long run around the length and byte limits (128 characters, 256 bytes, 2,048 characters). */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit, maxLength: 24 }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("x", "😀", "漢", "\ud800", "é"), fc.constantFrom(63, 64, 65, 127, 128, 129, 200, 257, 600, 2049, 5000)).map(([c, n]) => c.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "sku-1", "anon-1", "null", "undefined", "true", "0") },
  { weight: 2, arbitrary: fc.constant(null).chain(() => collisionProne) },
);
const numericJunk = fc.constantFrom("0", "-1", "1.5", "1e400", "-0", "NaN", "Infinity", "0x10", " 5", "5 ", "99999999999999999999", "1,2", "");
/** A JSON value of the wrong type, size or depth. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 2 ** 31, -(2 ** 63), Number.MIN_VALUE) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [[[[[]]]]], { __proto__: { a: 1 } }, { constructor: "x" }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(50, 500, 2000).map((d) => nested(d)) },
  { weight: 1, arbitrary: fc.constantFrom(101, 600).map((n) => Array.from({ length: n }, (_, i) => `v${i}`)) },
);

function nested(depth: number): unknown {
  let v: unknown = "deep";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Percent-encodes like a client would, and a lone surrogate as the (invalid) UTF-8 bytes of its code unit. */
function rawEncode(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(ch);
  }
  return out;
}
const BAD_ESCAPES = ["%", "%zz", "%E0%A4", "%FF", "%ED%A0%80", "%C0%AF", "..", ".", "%2F", "%00", "a%2Fb", "%F4%90%80%80", "%25", "%u0041"];
/** A URL fragment (path segment or query value): encoded junk, raw unicode for the URL parser, or broken escapes. */
const urlPiece = fc.oneof(
  { weight: 6, arbitrary: hostileString.map(rawEncode) },
  { weight: 1, arbitrary: hostileString.filter((s) => s.isWellFormed() && !/[/?#%\\\s]/.test(s) && s !== "." && s !== "..") },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
);

// ---------------------------------------------------------------------------------------------------------------
// Requests

type Auth =
  | "none" | "public" | "publicQuery" | "server" | "serverBearer" | "admin" | "adminOnly" | "wrongBearer" | "basic" | "garbageKey"
  | "serverInQuery" | "otherSite"
  // Segment-compatible routes only: Basic base64(key:) with the server key or the public write key.
  | "basicServer" | "basicPublic";
const AUTHS: Auth[] = ["none", "public", "publicQuery", "server", "serverBearer", "admin", "adminOnly", "wrongBearer", "basic", "garbageKey", "serverInQuery", "otherSite"];
const CONTENT_TYPES = [
  "application/json", "text/plain", "text/plain;charset=UTF-8", "application/json; charset=utf-16", "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x", "", "garbage/\u00ff", null,
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/** `valid(n)` picks a valid value from a generated number, so a seed reproduces the same requests. */
type Param = { name: string; valid: (n: number) => string };
type Spec = {
  name: string;
  method: string;
  params?: Param[];
  path: (params: string[]) => string;
  /** Valid values of the query parameters the route knows. */
  query?: Record<string, (n: number, s: PoolSite) => string>;
  body?: (n: number) => unknown;
  /** Body mutations only at fields of these names, with these values (a spec that hammers ids). */
  focus?: { fields: string[]; values: fc.Arbitrary<unknown> };
  /** Always the pool's first site (a spec that piles hostile data onto one site for the admin group's retrain). */
  firstSite?: boolean;
  /** Credentials this route is meant for (drawn more often than the others). */
  auth: Auth[];
  runs: number;
};

type Req = { method: string; url: string; headers: Record<string, string>; body?: string; field?: string; what: string };

/** A site the fuzzer talks to, with the identity proof of "user-1" on it. */
type PoolSite = { site: TestSite; hash: string };
/**
 * Requests spread over a pool of identical sites: the per-site rate limits (vitest.config.ts: 120 public and 40
 * server-key requests a minute) would otherwise turn most of the run into 429s. `b` is the admin routes' target.
 */
type Ctx = { pool: PoolSite[]; b: TestSite };
let ctx: Ctx;
const POOL_SITES = 40;

const SESSIONS = ["sess-1", "sess-2", "sess-3"];
const ITEMS = ["tent", "lamp", "boot", "sock"];

function validEvent(n: number): Record<string, unknown> {
  const i = n % 4;
  return event({
    type: ["view", "click", "add_to_cart", "purchase"][i],
    sessionId: SESSIONS[i % 3],
    anonymousId: `anon-${i}`,
    itemId: ITEMS[i],
    context: { url: "https://shop.example/p", device: "mobile", slot: "home" },
    properties: { price: 12.5, color: "red" },
  });
}

/** A Segment Spec message as analytics-node sends one (an order of two products every fourth). */
function segmentMessage(n: number): Record<string, unknown> {
  const i = n % 4;
  const properties = i === 3 ? { order_id: `o-${n}`, products: [{ product_id: ITEMS[0], price: 3 }, { sku: ITEMS[1] }] } : { product_id: ITEMS[i], price: 12.5 };
  return {
    type: i === 2 ? "page" : "track",
    event: ["Product Viewed", "Product Added", undefined, "Order Completed"][i],
    messageId: `node-next-${n}-fuzz`,
    anonymousId: `anon-${i}`,
    ...(i === 1 ? { userId: "user-1" } : {}),
    timestamp: new Date().toISOString(),
    properties,
    context: { page: { url: "https://shop.example/p" }, userAgent: "fuzz", sessionId: i === 0 ? SESSIONS[0] : undefined },
    integrations: {},
  };
}

/** Every path through an object, for field-by-field mutation ("events", "events.0", "events.0.itemId", …). */
function pathsOf(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== "object") return [prefix];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [...(prefix.length ? [prefix] : []), ...keys.flatMap((k) => pathsOf((v as Record<string | number, unknown>)[k], [...prefix, k]))];
}

type Mutation = { kind: "set"; value: unknown } | { kind: "delete" } | { kind: "extra"; key: string; value: unknown };

function mutate(body: unknown, path: (string | number)[], m: Mutation): unknown {
  const copy = structuredClone(body);
  if (m.kind === "extra" || path.length === 0) {
    const target = path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy);
    if (target && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>)[m.kind === "extra" ? m.key : "x"] = m.kind === "extra" ? m.value : null;
    return copy;
  }
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (m.kind === "delete") {
    if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
    else delete parent[last];
  } else parent[last] = m.value;
  return copy;
}

/** The name a 4xx should mention for a mutated path: its last named segment ("itemId" for events.0.itemId). */
function fieldOf(path: (string | number)[]): string | undefined {
  const named = path.filter((p): p is string => typeof p === "string");
  return named[named.length - 1];
}

const RAW_BODIES = fc.oneof(
  fc.constantFrom("", "{", "null", "[]", "{}", '{"events":', '"\\ud800"', '{"events":[{"id":"\\udfff"}]}', "[".repeat(5000), "\u0000", "\ufeff{}", '{"a":1}garbage'),
  hostileString,
);
const RAW_OR_HUGE = fc.oneof({ weight: 12, arbitrary: RAW_BODIES }, { weight: 1, arbitrary: fc.constant("x".repeat(600 * 1024)) });

function buildRequest(spec: Spec, c: Ctx): fc.Arbitrary<Req> {
  // Field-by-field mutations weigh most; the rest probe credentials, methods, content types and origins.
  const kinds = [
    "valid", "auth", "method", "origin",
    ...(spec.params?.length ? ["param", "param"] : []),
    ...(spec.query ? ["query", "query", "query"] : ["query"]),
    ...(spec.body ? ["body", "body", "body", "body", "rawBody", "contentType"] : []),
  ];
  const authArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...spec.auth) }, { weight: 1, arbitrary: fc.constantFrom(...AUTHS) });
  return fc.constantFrom(...kinds).chain((kind) =>
    fc
      .record({
        auth: kind === "auth" ? fc.constantFrom(...AUTHS) : authArb,
        paramIndex: fc.nat(),
        param: urlPiece,
        queryKeys: fc.subarray(Object.keys(spec.query ?? {})),
        queryMutation: fc.oneof(
          fc.record({ key: fc.constantFrom(...Object.keys(spec.query ?? { k: () => "" })), value: fc.oneof(urlPiece, numericJunk) }),
          fc.record({ key: fc.oneof(fc.constantFrom("limit", "key", "__proto__", "k[]", "site"), hostileString.map(rawEncode)), value: urlPiece }),
        ),
        bodyPathIndex: fc.nat(),
        mutation: fc.oneof(
          { weight: 5, arbitrary: (spec.focus?.values ?? junk).map((value): Mutation => ({ kind: "set", value })) },
          { weight: 1, arbitrary: fc.constant<Mutation>({ kind: "delete" }) },
          { weight: 1, arbitrary: fc.record({ key: hostileString, value: junk }).map(({ key, value }): Mutation => ({ kind: "extra", key, value })) },
        ),
        pick: fc.nat(),
        rawBody: RAW_OR_HUGE,
        contentType: kind === "contentType" ? fc.constantFrom(...CONTENT_TYPES) : fc.constantFrom("application/json", "text/plain"),
        method: fc.constantFrom(...METHODS),
        siteIndex: fc.nat(),
        origin: kind === "origin" ? fc.constantFrom("(allowed)", "https://evil.example", "null", "https://" + "a".repeat(300) + ".example") : fc.constant(undefined),
      })
      .map((g): Req => {
        let field: string | undefined;
        const ps = c.pool[spec.firstSite ? 0 : g.siteIndex % c.pool.length]!;
        const a = ps.site;
        const params = (spec.params ?? []).map((p) => p.valid(g.pick));
        if (kind === "param") {
          const i = g.paramIndex % params.length;
          params[i] = g.param;
          field = spec.params![i]!.name;
        }
        const query: [string, string][] = g.queryKeys.map((k) => [k, encodeURIComponent(spec.query![k]!(g.pick, ps))]);
        if (kind === "query") {
          query.push([g.queryMutation.key, g.queryMutation.value]);
          if (spec.query && g.queryMutation.key in spec.query) field = g.queryMutation.key;
        }
        const headers: Record<string, string> = {};
        const auth = g.auth;
        const site = auth === "otherSite" ? c.b : a;
        if (auth === "public" || auth === "admin" || auth === "wrongBearer" || auth === "basic" || auth === "otherSite") headers["x-edgerec-key"] = site.key;
        if (auth === "publicQuery") query.push(["key", a.key]);
        if (auth === "serverInQuery") query.push(["key", a.serverKey]);
        if (auth === "server") Object.assign(headers, serverHeaders(a));
        if (auth === "serverBearer") headers.authorization = `Bearer ${a.serverKey}`;
        if (auth === "admin" || auth === "adminOnly") Object.assign(headers, ADMIN);
        if (auth === "wrongBearer") headers.authorization = "Bearer x";
        if (auth === "basic") headers.authorization = "Basic dXNlcjpwYXNz";
        if (auth === "basicServer") headers.authorization = `Basic ${btoa(`${a.serverKey}:`)}`;
        if (auth === "basicPublic") headers.authorization = `Basic ${btoa(`${a.key}:`)}`;
        if (auth === "garbageKey") headers["x-edgerec-key"] = "k\u00e9y' OR 1=1 --";
        if (g.origin !== undefined) headers.origin = g.origin === "(allowed)" ? a.origin : g.origin;
        let body: string | undefined;
        if (spec.body) {
          const valid = spec.body(g.pick);
          if (kind === "body") {
            const all = pathsOf(valid);
            const focused = spec.focus ? all.filter((p) => spec.focus!.fields.includes(String(p[p.length - 1]))) : all;
            const paths = focused.length ? focused : all;
            const path = paths[g.bodyPathIndex % paths.length]!;
            body = JSON.stringify(mutate(valid, path, g.mutation));
            field = g.mutation.kind === "extra" ? undefined : fieldOf(path);
          } else body = kind === "rawBody" ? g.rawBody : JSON.stringify(valid);
          if (g.contentType !== null) headers["content-type"] = g.contentType;
        }
        const method = kind === "method" ? g.method : spec.method;
        const qs = query.map(([k, v]) => `${k}=${v}`).join("&");
        const url = `${BASE}${spec.path(params)}${qs ? `?${qs}` : ""}`;
        return { method, url, headers, body: method === "GET" || method === "HEAD" ? undefined : body, field, what: `${spec.name} [${kind}, ${auth}]` };
      }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

const stats = { sent: 0, s2xx: 0, s4xx: 0, s5xx: 0, withField: 0, namedField: 0 };
/** 4xx answers by status and error code ("401 invalid_key": n). */
const codes = new Map<string, number>();
const failures: string[] = [];
/** A few 400s that did not name the broken field, printed for whoever reads the figures. */
const unnamed: string[] = [];
const byRoute = new Map<string, { sent: number; s4xx: number }>();

type ErrorShape = { error?: { code?: unknown; message?: unknown; issues?: { path?: unknown; message?: unknown }[] } };

async function send(r: Req, route: string): Promise<void> {
  const res = await exports.default.fetch(r.url, { method: r.method, headers: r.headers, body: r.body });
  const text = await res.text();
  stats.sent++;
  const per = byRoute.get(route) ?? { sent: 0, s4xx: 0 };
  per.sent++;
  byRoute.set(route, per);
  const summary = () => `${res.status} ${r.what} ${r.method} ${r.url.slice(0, 300)} body=${(r.body ?? "").slice(0, 300)} → ${text.slice(0, 300)}`;
  if (res.status >= 500) {
    stats.s5xx++;
    failures.push(`5xx: ${summary()}`);
    return;
  }
  if (res.status < 400) {
    stats.s2xx++;
    return;
  }
  stats.s4xx++;
  per.s4xx++;
  if (r.method === "HEAD") return; // no body by definition
  let json: ErrorShape;
  try {
    json = JSON.parse(text) as ErrorShape;
  } catch {
    failures.push(`non-JSON 4xx: ${summary()}`);
    return;
  }
  if (typeof json.error?.code !== "string" || typeof json.error?.message !== "string" || !res.headers.get("content-type")?.includes("application/json")) {
    failures.push(`4xx without {error:{code,message}}: ${summary()}`);
    return;
  }
  const code = `${res.status} ${json.error.code}`;
  codes.set(code, (codes.get(code) ?? 0) + 1);
  // Only a 400 is about a field (401/404/413/415 are about credentials, existence, size and type).
  if (r.field !== undefined && res.status === 400) {
    stats.withField++;
    const issues = json.error.issues ?? [];
    const named = issues.some((i) => typeof i.path === "string" && i.path.includes(r.field!)) || String(json.error.message).includes(r.field);
    if (named) stats.namedField++;
    else if (unnamed.length < 12) unnamed.push(`${r.field}: ${r.what} ${r.url.slice(0, 160)} → ${text.slice(0, 240)}`);
  }
}

async function fuzz(spec: Spec, seedOffset: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(buildRequest(spec, ctx), async (r) => {
      await send(r, spec.name);
      return true;
    }),
    { seed: SEED + seedOffset, numRuns: spec.runs, endOnFailure: true },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

const PUBLIC: Auth[] = ["public", "publicQuery", "server", "serverBearer"];
const TRUSTED: Auth[] = ["server", "serverBearer", "admin"];
const ADMIN_ONLY: Auth[] = ["adminOnly"];

function specs(): Record<string, Spec[]> {
  const item: Param = { name: "item id", valid: (n) => ITEMS[n % 4]! };
  const session: Param = { name: "session id", valid: (n) => SESSIONS[n % 3]! };
  const user: Param = { name: "user id", valid: (n) => (n % 2 ? "anon-1" : "user-1") };
  const siteB: Param = { name: "site id", valid: () => ctx.b.id };
  const recQuery: Record<string, (n: number, s: PoolSite) => string> = {
    k: () => "5",
    sessionId: () => "sess-1",
    anonymousId: () => "anon-1",
    userId: () => "user-1",
    userHash: (_n, s) => s.hash,
    itemId: () => "tent",
    slot: () => "home",
    exclude: () => "sock",
    includeCategories: () => "gear",
    excludeCategories: () => "socks",
    excludePurchased: () => "true",
    excludeViewed: () => "false",
    boost: () => "lamp",
    pin: () => "boot",
    maxPerCategory: () => "2",
    diversity: () => "0.5",
  };
  return {
    ingest: [
      { name: "POST /v1/events", method: "POST", path: () => "/v1/events", body: (n) => ({ events: [validEvent(n), validEvent(n + 1)], sentAt: Date.now() }), auth: PUBLIC, runs: 350 },
      {
        name: "POST /v1/events (ids)",
        method: "POST",
        path: () => "/v1/events",
        body: (n) => ({ events: [validEvent(n), validEvent(n + 1)] }),
        focus: {
          fields: ["itemId", "sessionId", "anonymousId", "userId", "slot", "recommendationId"],
          values: fc.oneof({ weight: 3, arbitrary: collisionProne }, { weight: 2, arbitrary: hostileString }),
        },
        // The admin token with the write key: trusted with user ids and exempt from rate limits, so all of it lands.
        auth: ["admin"],
        firstSite: true,
        runs: 250,
      },
      {
        name: "POST /v1/batch (Segment)",
        method: "POST",
        path: () => "/v1/batch",
        body: (n) => ({ batch: [segmentMessage(n), segmentMessage(n + 1)], sentAt: new Date().toISOString() }),
        auth: ["basicServer", "basicPublic"],
        runs: 250,
      },
      {
        name: "POST /v1/consent",
        method: "POST",
        path: () => "/v1/consent",
        body: (n) => ({
          anonymousId: `anon-c-${n % 5}`,
          analytics: n % 3 !== 0,
          personalization: n % 2 === 0,
          ts: Date.now(),
          ...(n % 3 === 0 ? { erase: true } : {}),
          ...(n % 4 === 0 ? { receipt: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } : {}),
        }),
        auth: PUBLIC,
        runs: 250,
      },
    ],
    catalog: [
      { name: "GET /v1/items/:id", method: "GET", params: [item], path: ([id]) => `/v1/items/${id}`, auth: PUBLIC, runs: 150 },
      {
        name: "PUT /v1/items",
        method: "PUT",
        path: () => "/v1/items",
        body: () => ({
          items: [{ id: "fz-item", title: "Fuzz item", url: "https://shop.example/fz", image: "https://shop.example/fz.png", categories: ["gear"], tags: ["new"], attributes: { price: 3, color: "red" }, available: true }],
        }),
        auth: ["admin"],
        runs: 200,
      },
      { name: "GET /v1/users/:id", method: "GET", params: [user], path: ([id]) => `/v1/users/${id}`, query: { userHash: (_n, s) => s.hash }, auth: [...PUBLIC, "admin"], runs: 150 },
      // The data-subject routes: export (paged by an opaque cursor), erasure and its job.
      {
        name: "GET /v1/users/:id/export",
        method: "GET",
        params: [user],
        path: ([id]) => `/v1/users/${id}/export`,
        query: { cursor: () => "eyJ0cyI6MSwiaWQiOiJ4In0" },
        auth: TRUSTED,
        runs: 80,
      },
      {
        name: "POST /v1/users/me/export",
        method: "POST",
        path: () => "/v1/users/me/export",
        body: (n) => (n % 2 ? { anonymousId: "anon-1" } : { anonymousId: "anon-2", cursor: "eyJ0cyI6MSwiaWQiOiJ4In0" }),
        auth: PUBLIC,
        runs: 80,
      },
      { name: "DELETE /v1/users/:id", method: "DELETE", params: [{ name: "user id", valid: (n) => `gone-${n % 7}` }], path: ([id]) => `/v1/users/${id}`, auth: TRUSTED, runs: 50 },
      { name: "POST /v1/users/me/forget", method: "POST", path: () => "/v1/users/me/forget", body: (n) => ({ anonymousId: `forget-${n % 7}` }), auth: PUBLIC, runs: 50 },
      {
        name: "GET /v1/users/erasures/:jobId",
        method: "GET",
        params: [{ name: "job id", valid: (n) => `er_${(n % 16).toString(16).repeat(32)}` }],
        path: ([id]) => `/v1/users/erasures/${id}`,
        auth: TRUSTED,
        runs: 40,
      },
    ],
    admin: [
      { name: "GET /admin/sites", method: "GET", path: () => "/admin/sites", auth: ADMIN_ONLY, runs: 20 },
      { name: "GET /admin/sites/:id", method: "GET", params: [siteB], path: ([id]) => `/admin/sites/${id}`, auth: ADMIN_ONLY, runs: 40 },
      {
        name: "PUT /admin/sites/:id",
        method: "PUT",
        params: [siteB],
        path: ([id]) => `/admin/sites/${id}`,
        body: () => ({ name: "Fuzz shop", allowedOrigins: ["https://fuzz.example", "*"], identityVerification: "required" }),
        auth: ADMIN_ONLY,
        runs: 60,
      },
      {
        name: "PUT /admin/sites/:id/config",
        method: "PUT",
        params: [siteB],
        path: ([id]) => `/admin/sites/${id}/config`,
        body: () => ({ slots: { home: { k: 4, excludeCategories: ["socks"], pin: ["tent"], diversity: 0.3 } }, weights: { content: 0.2 }, allowUncatalogued: false }),
        auth: ADMIN_ONLY,
        runs: 60,
      },
      {
        name: "POST /admin/sites/:id/keys/rotate",
        method: "POST",
        params: [siteB],
        path: ([id]) => `/admin/sites/${id}/keys/rotate`,
        body: () => ({ kind: "identity", overlapSeconds: 60 }),
        auth: ADMIN_ONLY,
        runs: 30,
      },
      { name: "GET /admin/models", method: "GET", path: () => "/admin/models", query: { site: (_n, s) => s.site.id }, auth: ADMIN_ONLY, runs: 30 },
      { name: "GET /admin/segments", method: "GET", path: () => "/admin/segments", query: { site: (_n, s) => s.site.id }, auth: ADMIN_ONLY, runs: 30 },
      { name: "POST /admin/retrain", method: "POST", path: () => "/admin/retrain", query: { site: (n, s) => [ctx.b.id, ctx.pool[0]!.site.id, s.site.id][n % 3]!, scratch: () => "true" }, auth: ADMIN_ONLY, runs: 30 },
      { name: "POST /admin/models/rollback", method: "POST", path: () => "/admin/models/rollback", query: { site: (n, s) => [ctx.b.id, ctx.pool[0]!.site.id, s.site.id][n % 3]! }, auth: ADMIN_ONLY, runs: 20 },
    ],
    serving: [
      { name: "GET /v1/sessions/:id", method: "GET", params: [session], path: ([id]) => `/v1/sessions/${id}`, auth: PUBLIC, runs: 150 },
      { name: "GET /v1/sessions/:id/next", method: "GET", params: [session], path: ([id]) => `/v1/sessions/${id}/next`, query: { k: () => "5" }, auth: PUBLIC, runs: 200 },
      { name: "GET /v1/recommendations", method: "GET", path: () => "/v1/recommendations", query: recQuery, auth: PUBLIC, runs: 450 },
      { name: "GET /v1/items/:id/similar", method: "GET", params: [item], path: ([id]) => `/v1/items/${id}/similar`, query: { k: () => "5" }, auth: PUBLIC, runs: 200 },
    ],
    static: [
      { name: "GET /health", method: "GET", path: () => "/health", auth: ["none"], runs: 20 },
      { name: "GET /sdk.js", method: "GET", path: () => "/sdk.js", auth: ["none"], runs: 20 },
      { name: "GET /sdk/:file", method: "GET", params: [{ name: "file", valid: () => `${SDK_VERSION}.js` }], path: ([f]) => `/sdk/${f}`, auth: ["none"], runs: 40 },
      { name: "GET /demo", method: "GET", path: () => "/demo", auth: ["none"], runs: 20 },
      { name: "GET /demo/p/:id", method: "GET", params: [item], path: ([id]) => `/demo/p/${id}`, auth: ["none"], runs: 60 },
      { name: "GET /demo/img/:file", method: "GET", params: [{ name: "file", valid: () => "tent.svg" }], path: ([f]) => `/demo/img/${f}`, auth: ["none"], runs: 60 },
      { name: "unknown routes", method: "GET", params: [{ name: "path", valid: () => "nope" }], path: ([p]) => `/${p}/${p}`, auth: AUTHS, runs: 40 },
    ],
  };
}

/** A shop with a catalog, a few sessions of history and a trained model. */
async function poolSite(): Promise<PoolSite> {
  const site = await createSite();
  await putItems(site, [
    { id: "tent", title: "Tent", categories: ["gear"] },
    { id: "lamp", title: "Lamp", categories: ["gear"] },
    { id: "boot", title: "Boot", categories: ["shoes"] },
    { id: "sock", title: "Sock", categories: ["socks"] },
  ]);
  const t0 = Date.now() - 2 * 3_600_000;
  const seed = Array.from({ length: 8 }, (_, s) => ITEMS.map((itemId, i) => event({ sessionId: `seed-${s}`, anonymousId: `anon-${s % 3}`, itemId, ts: t0 + s * 100 + i }))).flat();
  const res = await exports.default.fetch(`${BASE}/v1/events`, { method: "POST", headers: { ...serverHeaders(site), "content-type": "application/json" }, body: JSON.stringify({ events: seed }) });
  expect(res.status).toBe(200);
  expect((await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN })).status).toBe(201);
  return { site, hash: await userHash(site, "user-1") };
}

beforeAll(async () => {
  const pool = await Promise.all(Array.from({ length: POOL_SITES }, poolSite));
  ctx = { pool, b: await createSite() };
  // The demo shop's catalog, with titles that must come out escaped.
  await env.DB.prepare("INSERT OR IGNORE INTO sites (id, name, created_at, updated_at) VALUES ('demo', 'demo', 0, 0)").run();
  const titles = ["</script><script>alert(1)</script>", "Tent \"quoted\" 'x' & <b>", "😀 漢字 \u202e", "Sock"];
  for (const [i, id] of ITEMS.entries()) {
    await env.DB.prepare("INSERT OR IGNORE INTO items (site_id, id, title, categories, tags, available, created_at, updated_at) VALUES ('demo', ?1, ?2, '[\"gear\"]', '[]', 1, 0, 0)")
      .bind(id, titles[i])
      .run();
  }
  expect(env.ADMIN_TOKEN).toBe("test-admin-token");
  // 40 sites, each seeded and trained (node2vec's walks included): a few seconds alone, but past vitest's 10 s default when `npm test` runs every
  // project at once on two cores (the conformance project's Miniflares and Chromium included).
}, 60_000);

afterAll(() => {
  const share = stats.withField ? stats.namedField / stats.withField : 0;
  console.log(
    JSON.stringify({
      fuzz: "figures",
      seed: SEED,
      requests: stats.sent,
      "2xx": stats.s2xx,
      "4xx": stats.s4xx,
      "5xx": stats.s5xx,
      "400s with a known broken field": stats.withField,
      "of which name it": stats.namedField,
      shareNamingField: Math.round(share * 1000) / 10 + "%",
      failures: failures.length,
    }),
  );
  console.log(JSON.stringify({ fuzz: "per route", routes: Object.fromEntries(byRoute) }));
  console.log(JSON.stringify({ fuzz: "4xx by code", codes: Object.fromEntries([...codes].sort((x, y) => y[1] - x[1])) }));
  if (unnamed.length) console.log(JSON.stringify({ fuzz: "400s not naming the broken field (sample)", unnamed }));
});

describe("fuzz: hostile requests to every route", () => {
  const groups = Object.keys(specs());
  // In this order: the admin group retrains site a on everything ingest stored, then serving reads that model.
  groups.forEach((group, g) => {
    it(`${group}: never a 5xx, every 4xx is {error:{code,message}}`, { timeout: 60_000 }, async () => {
      const list = specs()[group]!;
      for (const [i, spec] of list.entries()) await fuzz(spec, g * 100 + i);
      expect(failures.slice(0, 20)).toEqual([]);
    });
  });
});
