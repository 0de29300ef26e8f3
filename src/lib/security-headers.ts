// Security headers on every answer (API JSON, errors, 404s, preflights, the SDK script and the demo's HTML),
// set after the handler so nothing that returns early or throws can skip them. Mounted first in app.ts.
import type { MiddlewareHandler } from "hono";

/**
 * Every text/html answer gets this by its content type: today only the demo shop (there is no dashboard yet; one
 * added later gets the same policy with no change here). Scripts, styles, images and API calls from this origin
 * only; no inline script or style (the demo's page script and CSS are files), no plugins, no framing.
 */
export const HTML_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** Everything else is data or a script file: it may load nothing and never be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const h = c.res.headers;
  const html = h.get("content-type")?.toLowerCase().startsWith("text/html") ?? false;
  h.set("x-content-type-options", "nosniff");
  h.set("x-frame-options", "DENY");
  h.set("content-security-policy", html ? HTML_CSP : API_CSP);
  // API answers and the SDK: no referrer at all. The demo's pages keep the browser default so their own
  // same-origin navigations still carry a referrer for the snippet to report (cross-origin: the origin only).
  h.set("referrer-policy", html ? "strict-origin-when-cross-origin" : "no-referrer");
};
