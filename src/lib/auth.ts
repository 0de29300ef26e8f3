// Authentication. /v1 routes: the site's public write key (browsers; + Origin allow-list) or its secret server key
// (the site's backend: trusted for user ids, profile reads, export and erasure). /admin: the operator's bearer token.
import type { Context, MiddlewareHandler } from "hono";
import { tunables } from "../config/env";
import type { SiteRow } from "../storage/schema";
import type { AppEnv } from "./app-env";
import { secretsEqual } from "./crypto";
import { ApiError } from "./errors";
import { admittedEnv, runAdmitted } from "./admission";
import { admitOrRefuse, keyLookupAllowed, rateLimitedAnswer } from "./rate-limit";
import { credentialCached, credentialForKey } from "./site-cache";
import { RATE_LIMIT_PERIOD_SECONDS } from "../config/limits";
import { proofValid } from "../ingest/verify-identity";

/** Server keys start with this prefix; they are refused in query strings, which end up in logs. */
export const SERVER_KEY_PREFIX = "sk_";

/** The token of an `Authorization: Bearer …` header ("" for a bare "Bearer"), or undefined for other schemes. */
function bearerOf(c: Context): string | undefined {
  const m = /^bearer(?:\s+(.*))?$/i.exec(c.req.header("authorization") ?? "");
  return m ? (m[1] ?? "").trim() : undefined;
}

export function originAllowed(site: SiteRow, origin: string): boolean {
  return site.allowedOrigins.includes("*") || site.allowedOrigins.includes(origin);
}

async function isAdminToken(c: Context<AppEnv>, token: string | undefined): Promise<boolean> {
  const expected = c.env.ADMIN_TOKEN;
  // An unset token must never match an empty bearer.
  if (!expected || token === undefined) return false;
  return secretsEqual(token, expected);
}

export async function isAdminRequest(c: Context<AppEnv>): Promise<boolean> {
  return isAdminToken(c, bearerOf(c));
}

/**
 * Resolves the site from the request's key and enforces the Origin allow-list for browser keys; sets `site`,
 * `role`, `isAdmin` and `identitySecrets`. A server key may come as `X-Edgerec-Key` or `Authorization: Bearer`, never
 * in the URL. An Authorization header that is neither the admin token nor a server key is a 401, never ignored.
 */
export const requireSite: MiddlewareHandler<AppEnv> = async (c, next) => {
  const queryKey = c.req.query("key");
  if (queryKey?.startsWith(SERVER_KEY_PREFIX)) {
    throw new ApiError(401, "server_key_in_url", "server keys must be sent in the X-Edgerec-Key or Authorization header, never in the URL (rotate this key: it may be logged)");
  }
  const bearer = bearerOf(c);
  // Another scheme (Basic, a bare token) is a credential we cannot check: refusing it beats silently ignoring it.
  if (bearer === undefined && c.req.header("authorization") !== undefined) {
    throw new ApiError(401, "invalid_credentials", "the Authorization header must be Bearer <admin token or server key>");
  }
  const isAdmin = await isAdminToken(c, bearer);
  let bearerServerKey: string | undefined;
  if (bearer !== undefined && !isAdmin) {
    if (!bearer.startsWith(SERVER_KEY_PREFIX)) throw new ApiError(401, "invalid_credentials", "the Authorization header holds neither the admin token nor a server key");
    bearerServerKey = bearer;
  }
  const key = c.req.header("x-edgerec-key") ?? bearerServerKey ?? queryKey;
  if (!key) throw new ApiError(401, "missing_key", "a site key is required (X-Edgerec-Key header or ?key=)");
  const refused = await authenticateKey(c, key, { bearerServerKey, isAdmin });
  if (refused) return refused;
  // Rate limits need the site and role, so they are set up here, in front of every /v1 route; they are charged at
  // the request's first storage call (src/lib/admission.ts), so an answer from the isolate's memory costs none.
  c.env = admittedEnv(c.env);
  await runAdmitted(() => admitOrRefuse(c), next);
};

/**
 * Resolves the site and role of a presented key and enforces the Origin allow-list for public keys; sets `site`,
 * `role`, `isAdmin` and `identitySecrets`. Answers a 429 Response when key lookups from this client are spent,
 * otherwise null. Shared by requireSite and the Segment-compatible routes (whose key comes from Basic auth or the
 * body, so it is known only after the body is read).
 */
export async function authenticateKey(
  c: Context<AppEnv>,
  key: string,
  opts: { bearerServerKey?: string; isAdmin: boolean },
): Promise<Response | null> {
  const ttl = tunables(c.env).SITE_CACHE_SECONDS * 1000;
  const { bearerServerKey, isAdmin } = opts;
  if (!credentialCached(key) && !(await keyLookupAllowed(c))) {
    return rateLimitedAnswer(c, `too many key lookups from this client; retry after ${RATE_LIMIT_PERIOD_SECONDS} s`);
  }
  const credential = await credentialForKey(c.env.DB, key, ttl);
  if (!credential) throw new ApiError(401, "invalid_key", "unknown or expired key");
  let role: "public" | "server" = credential.kind === "server" ? "server" : "public";
  if (bearerServerKey !== undefined && bearerServerKey !== key) {
    // Both a key header and a server key in Authorization: they must name the same site.
    const other = await credentialForKey(c.env.DB, bearerServerKey, ttl);
    if (!other || other.kind !== "server" || other.site.id !== credential.site.id) {
      throw new ApiError(401, "invalid_credentials", "the server key in the Authorization header is unknown or belongs to another site");
    }
    role = "server";
  }
  const origin = c.req.header("origin");
  if (role === "public" && origin !== undefined && !originAllowed(credential.site, origin)) {
    throw new ApiError(403, "origin_not_allowed", `origin ${origin} is not allowed for this site`);
  }
  c.set("site", credential.site);
  c.set("role", role);
  c.set("isAdmin", isAdmin);
  c.set("identitySecrets", credential.identitySecrets);
  return null;
}

/** Admin-only routes: `Authorization: Bearer <ADMIN_TOKEN>`. */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await isAdminRequest(c))) throw new ApiError(401, "unauthorized", "admin bearer token required");
  await next();
};

/** For routes under requireSite that also need the admin token. */
export function assertAdmin(c: Context<AppEnv>): void {
  if (!c.get("isAdmin")) throw new ApiError(401, "unauthorized", "admin bearer token required");
}

/** True for the site's backend (server key) and the operator (admin token): callers trusted with user ids. */
export function isTrusted(c: Context<AppEnv>): boolean {
  return c.get("role") === "server" || c.get("isAdmin");
}

/** For routes that need the server key or the admin token (export, erasure by user id, catalog writes). */
export function assertTrusted(c: Context<AppEnv>): void {
  if (!isTrusted(c)) throw new ApiError(401, "unauthorized", "this needs the site's server key or the admin token");
}

/**
 * Reads and writes by user id: the server key and the admin token are trusted; a browser must show the user's
 * identity proof (`userHash`), unless the site turned verification off (unsafe). Otherwise a 401 naming `userHash`.
 */
export async function assertUserAccess(c: Context<AppEnv>, userId: string, userHash: string | undefined): Promise<void> {
  if (isTrusted(c) || c.get("site").identityVerification === "off") return;
  if (await proofValid(c.get("identitySecrets"), userId, userHash)) return;
  throw new ApiError(401, "unverified_user_id", "reading by userId needs the server key or the user's identity proof (userHash)", [
    { path: "userHash", message: userHash === undefined ? "is required with userId and the public key" : "does not match userId" },
  ]);
}
