// The dashboard's sign-in session: a stateless cookie holding an expiry and a nonce signed with HMAC-SHA256 under a
// key derived from ADMIN_TOKEN (never the token itself), plus the same-Origin check every dashboard POST passes.
import type { Context } from "hono";
import { DASHBOARD_SESSION_SECONDS } from "../config/limits";
import type { AppEnv } from "../lib/app-env";
import { hmacSha256Hex, randomToken, secretsEqual } from "../lib/crypto";

export const SESSION_COOKIE = "edgerec_admin";
/** The cookie is sent to the dashboard and the JSON admin paths only (the JSON API ignores it). */
const COOKIE_PATH = "/admin";
const FORMAT = "v1";
/** Domain separation: the signing key is an HMAC of this label under the token, so it is useless for anything else. */
const KEY_LABEL = "edgerec dashboard session key v1";

async function signingKey(adminToken: string): Promise<string> {
  return hmacSha256Hex(adminToken, KEY_LABEL);
}

/** `v1.<expiry ms, base 36>.<nonce>.<hex HMAC of the first three parts>`. */
export async function issueSession(adminToken: string, now: number): Promise<string> {
  const payload = `${FORMAT}.${(now + DASHBOARD_SESSION_SECONDS * 1000).toString(36)}.${randomToken(12)}`;
  return `${payload}.${await hmacSha256Hex(await signingKey(adminToken), payload)}`;
}

/** True for a well-formed, unexpired cookie signed under this token. An unset token accepts nothing. */
export async function sessionValid(value: string | undefined, adminToken: string | undefined, now: number): Promise<boolean> {
  if (!value || !adminToken) return false;
  const parts = value.split(".");
  if (parts.length !== 4 || parts[0] !== FORMAT || !/^[0-9a-z]{1,12}$/.test(parts[1]!) || !/^[0-9a-f]{64}$/.test(parts[3]!)) return false;
  const expires = parseInt(parts[1]!, 36);
  // A signed expiry further out than a fresh session's cannot come from this code: refuse it anyway.
  if (!(expires > now) || expires > now + DASHBOARD_SESSION_SECONDS * 1000) return false;
  const payload = parts.slice(0, 3).join(".");
  return secretsEqual(parts[3]!, await hmacSha256Hex(await signingKey(adminToken), payload));
}

/** The session cookie's value from the Cookie header (a tiny reader: hono/cookie would add 2.6 KB for one name). */
export function sessionCookieOf(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export async function hasSession(c: Context<AppEnv>): Promise<boolean> {
  return sessionValid(sessionCookieOf(c.req.header("cookie")), c.env.ADMIN_TOKEN, Date.now());
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:";
}

/** The cookie's value (the session's characters are all cookie-safe) and attributes: Secure whenever the page is https. */
function cookie(c: Context, value: string, maxAge: number): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${maxAge}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Strict${isHttps(c) ? "; Secure" : ""}`;
}

export async function startSession(c: Context<AppEnv>): Promise<void> {
  c.header("set-cookie", cookie(c, await issueSession(c.env.ADMIN_TOKEN, Date.now()), DASHBOARD_SESSION_SECONDS), { append: true });
}

export function endSession(c: Context): void {
  c.header("set-cookie", cookie(c, "", 0), { append: true });
}

/**
 * CSRF defence beside SameSite=Strict: a POST must carry an Origin equal to this Worker's own (browsers send it on
 * every form POST; a missing one is refused too, since only non-browser clients omit it and they have the JSON API).
 */
export function sameOrigin(c: Context): boolean {
  return c.req.header("origin") === new URL(c.req.url).origin;
}
