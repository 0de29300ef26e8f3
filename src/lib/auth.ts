// Authentication: public write keys (+ Origin allow-list) for /v1, the admin bearer token for admin work.
import type { Context, MiddlewareHandler } from "hono";
import { tunables } from "../config/env";
import type { SiteRow } from "../storage/schema";
import type { AppEnv } from "./app-env";
import { secretsEqual } from "./crypto";
import { ApiError } from "./errors";
import { siteForKey } from "./site-cache";

/** The write key travels in a header, or in the query string where headers are impossible (sendBeacon). */
export function writeKeyOf(c: Context): string | undefined {
  return c.req.header("x-edgerec-key") ?? c.req.query("key") ?? undefined;
}

export function originAllowed(site: SiteRow, origin: string): boolean {
  return site.allowedOrigins.includes("*") || site.allowedOrigins.includes(origin);
}

export async function isAdminRequest(c: Context<AppEnv>): Promise<boolean> {
  const header = c.req.header("authorization");
  if (!header?.startsWith("Bearer ")) return false;
  const expected = c.env.ADMIN_TOKEN;
  // An unset token must never match an empty bearer.
  if (!expected) return false;
  return secretsEqual(header.slice("Bearer ".length), expected);
}

/** Resolves the site from the write key and enforces the Origin allow-list; sets `site` and `isAdmin`. */
export const requireSite: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = writeKeyOf(c);
  if (!key) throw new ApiError(401, "missing_key", "a site write key is required (X-Edgerec-Key header or ?key=)");
  const site = await siteForKey(c.env.DB, key, tunables(c.env).SITE_CACHE_SECONDS * 1000);
  if (!site) throw new ApiError(401, "invalid_key", "unknown write key");
  const origin = c.req.header("origin");
  if (origin !== undefined && !originAllowed(site, origin)) {
    throw new ApiError(403, "origin_not_allowed", `origin ${origin} is not allowed for this site`);
  }
  c.set("site", site);
  c.set("isAdmin", await isAdminRequest(c));
  await next();
};

/** Admin-only routes: `Authorization: Bearer <ADMIN_TOKEN>`. */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await isAdminRequest(c))) throw new ApiError(401, "unauthorized", "admin bearer token required");
  await next();
};

/** For routes under requireSite that also need the admin token. */
export function assertAdmin(c: Context<AppEnv>): void {
  if (!c.get("isAdmin")) throw new ApiError(401, "unauthorized", "admin bearer token required");
}
