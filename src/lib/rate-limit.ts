// Request rate limits of /v1 routes (Workers Rate Limiting bindings): per client and per site key. Charged at a
// request's first storage call (src/lib/admission.ts), once the site and the key's role are known; the connecting
// address is hashed and never stored.
import type { Context } from "hono";
import { RATE_LIMIT_PERIOD_SECONDS, RATE_LIMIT_SALT_CACHE_ENTRIES } from "../config/limits";
import type { AppEnv } from "./app-env";
import { errorBody, RequestRefused } from "./errors";
import { hmacSha256Hex, randomToken, sha256Hex } from "./crypto";
import { IsolateCache } from "./isolate-cache";

type Scope = "client" | "site";

/**
 * The lazy form used by requireSite (src/lib/admission.ts): the limiters are consulted at the request's first
 * storage call, and a spent limit rejects it with `429 rate_limited` and `Retry-After`.
 */
export async function admitOrRefuse(c: Context<AppEnv>): Promise<void> {
  const scope = await limitedScope(c);
  if (scope) throw new RequestRefused(429, "rate_limited", refusalMessage(scope), { "retry-after": String(RATE_LIMIT_PERIOD_SECONDS) });
}

function refusalMessage(scope: Scope): string {
  return scope === "client"
    ? `too many requests from this client; retry after ${RATE_LIMIT_PERIOD_SECONDS} s`
    : `too many requests for this site's key; retry after ${RATE_LIMIT_PERIOD_SECONDS} s`;
}

/** The same check for handlers that learn the site only after reading the body: a 429 Response, or null. */
export async function rateLimitRefusal(c: Context<AppEnv>): Promise<Response | null> {
  const scope = await limitedScope(c);
  return scope ? rateLimitedAnswer(c, refusalMessage(scope)) : null;
}

async function limitedScope(c: Context<AppEnv>): Promise<Scope | null> {
  if (c.get("isAdmin")) return null;
  const siteId = c.get("site").id;
  if (c.get("role") === "server") {
    return (await c.env.RATE_LIMIT_SERVER.limit({ key: `server:${siteId}` })).success ? null : "site";
  }
  const address = c.req.header("cf-connecting-ip");
  if (address) {
    const client = await clientKey(c.env, address, Date.now());
    if (!(await c.env.RATE_LIMIT_CLIENT.limit({ key: `client:${siteId}:${client}` })).success) return "client";
  }
  return (await c.env.RATE_LIMIT_SITE.limit({ key: `site:${siteId}:public` })).success ? null : "site";
}

/**
 * Key lookups that miss the isolate cache reach D1, before any site is known: a flood of made-up keys from one
 * address is limited here, per client, on the client limiter's budget (local tools without an address are not).
 * Answers true when this lookup may go ahead.
 */
export async function keyLookupAllowed(c: Context<AppEnv>): Promise<boolean> {
  const address = c.req.header("cf-connecting-ip");
  if (!address) return true;
  const client = await clientKey(c.env, address, Date.now());
  return (await c.env.RATE_LIMIT_CLIENT.limit({ key: `lookup:${client}` })).success;
}

export function rateLimitedAnswer(c: Context<AppEnv>, message: string): Response {
  return c.json(errorBody("rate_limited", message), 429, { "retry-after": String(RATE_LIMIT_PERIOD_SECONDS) });
}

// Without RATE_LIMIT_SALT or ADMIN_TOKEN each isolate salts with its own random secret: still never reversible, but
// one address then has a counter per isolate, so the per-client limit is looser. Deployments set a secret.
// Made on first use: workerd refuses random values in global scope.
let isolateSecret: string | undefined;
/** Daily salts by (UTC date, secret): the date in the key retires yesterday's salt, no TTL needed. */
const dailySalts = new IsolateCache<string, string>({ maxEntries: RATE_LIMIT_SALT_CACHE_ENTRIES });

/**
 * The rate-limit identity of a connecting address: SHA-256 of `${dailySalt}|${address}`, where the daily salt is
 * HMAC(secret, UTC date). The hash changes every day and cannot be reversed without the secret (IPv4 has only
 * 2^32 addresses, so an unsalted hash could be). IPv6 counts per /64, the block one subscriber usually holds.
 */
export async function clientKey(
  env: Pick<Env, "RATE_LIMIT_SALT" | "ADMIN_TOKEN">,
  address: string,
  now: number,
): Promise<string> {
  // Secrets arrive unset (or empty) when not configured, whatever the generated types say.
  const secret = env.RATE_LIMIT_SALT || env.ADMIN_TOKEN || (isolateSecret ??= randomToken(32));
  const day = new Date(now).toISOString().slice(0, 10);
  const salt = await dailySalts.getOrLoad(`${day}|${secret}`, () => hmacSha256Hex(secret, `edgerec-rate-limit|${day}`), Infinity);
  return (await sha256Hex(`${salt}|${addressBlock(address)}`)).slice(0, 32);
}

/** IPv4 as is; IPv6 reduced to its first four groups (/64), with `::` expanded so equal blocks compare equal. */
export function addressBlock(address: string): string {
  const a = address.trim().toLowerCase();
  if (!a.includes(":") || a.includes(".")) return a; // IPv4, or an IPv4-mapped IPv6 address: the whole address
  const [head = "", tail] = a.split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":");
}
