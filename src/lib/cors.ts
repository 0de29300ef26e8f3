// CORS for the public /v1 API: echo the Origin only when the site allows it; preflights are checked the same way.
import type { MiddlewareHandler } from "hono";
import { tunables } from "../config/env";
import type { AppEnv } from "./app-env";
import { originAllowed } from "./auth";
import { ApiError } from "./errors";
import { credentialForKey } from "./site-cache";

const ALLOW_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
const ALLOW_HEADERS = "content-type, x-edgerec-key, authorization";
const PREFLIGHT_MAX_AGE = "86400";

/**
 * Preflights carry no custom headers, so a preflight can only be checked when the key is in the query string
 * (the SDK always puts it there). A keyless preflight is answered permissively: the real request that follows
 * carries the key and Origin and is checked by requireSite, so nothing is exposed.
 */
export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("origin");
  if (c.req.method === "OPTIONS") {
    if (!origin) return c.body(null, 204);
    const key = c.req.query("key");
    if (key) {
      const credential = await credentialForKey(c.env.DB, key, tunables(c.env).SITE_CACHE_SECONDS * 1000);
      if (!credential || credential.kind !== "write") throw new ApiError(401, "invalid_key", "unknown write key");
      if (!originAllowed(credential.site, origin)) throw new ApiError(403, "origin_not_allowed", `origin ${origin} is not allowed for this site`);
    }
    return c.body(null, 204, {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": ALLOW_METHODS,
      "access-control-allow-headers": ALLOW_HEADERS,
      "access-control-max-age": PREFLIGHT_MAX_AGE,
      vary: "Origin",
    });
  }
  await next();
  if (!origin) return;
  const site = c.get("site");
  // Only echo the origin once requireSite has accepted a browser key for it (site is unset on 401/403 paths);
  // server keys never get CORS headers, so a page can never use one.
  if (site && c.get("role") === "public" && originAllowed(site, origin)) {
    c.res.headers.set("access-control-allow-origin", origin);
    // The snippet reads Retry-After on a 429 to wait as long as asked; CORS hides it unless exposed.
    c.res.headers.set("access-control-expose-headers", "retry-after");
    c.res.headers.append("vary", "Origin");
  }
};
