// GET /openapi.json (the OpenAPI 3.1 document, src/openapi/document.ts) and GET /docs (a readable reference
// generated from it). Public, no key; cacheable, with an ETag so a revalidation is a 304.
import { Hono } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "../lib/app-env";
import { DOCS_CSS, renderDocsPage } from "../openapi/docs-page";
import { buildOpenApiDocument, openApiText } from "../openapi/document";

export const openapi = new Hono<AppEnv>();

/** Short-lived: a deploy reaches clients within minutes, and the ETag makes revalidation cheap. */
const CACHE = "public, max-age=300";

let docsHtml: string | undefined;

openapi.get("/openapi.json", etag(), (c) =>
  // Any origin may read it (API explorers, client generators): it carries no credential and no site data.
  c.body(openApiText(), 200, { "content-type": "application/json; charset=utf-8", "cache-control": CACHE, "access-control-allow-origin": "*" }),
);

openapi.get("/docs", etag(), (c) => {
  docsHtml ??= renderDocsPage(buildOpenApiDocument());
  return c.body(docsHtml, 200, { "content-type": "text/html; charset=utf-8", "cache-control": CACHE });
});

openapi.get("/docs/docs.css", etag(), (c) => c.body(DOCS_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": CACHE }));
