// The embed snippet (/sdk.js, and an immutable versioned URL) and the demo shop (/demo) that shows it working.
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { etag } from "hono/etag";
import { DEMO_SITE_ID, DEMO_WRITE_KEY } from "../config/demo";
import { DEMO_CSS, DEMO_JS, homePage, itemSvg, productPage, snippetTag } from "../demo/pages";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import { SDK_SOURCE, SDK_VERSION } from "../sdk-dist/bundle.generated";
import { idString } from "../schemas/common";
import { database } from "../storage/db";
import { findItem } from "../storage/items-repo";
import { items as itemsTable } from "../storage/schema";

export const sdk = new Hono<AppEnv>();

const JS = "application/javascript; charset=utf-8";

/** Both script URLs carry the bundle's content hash as a strong ETag, so a revalidation is a 304 with no body. */
const SDK_ETAG = `"${SDK_VERSION}"`;

/** The stable URL sites paste: short-lived cache so a new release reaches pages within minutes. */
sdk.get("/sdk.js", etag(), (c) => c.body(SDK_SOURCE, 200, { "content-type": JS, "cache-control": "public, max-age=300", etag: SDK_ETAG }));

/** The versioned URL never changes content, so browsers and the CDN may keep it for a year. */
sdk.get("/sdk/:file", etag(), (c) => {
  if (c.req.param("file") !== `${SDK_VERSION}.js`) throw new ApiError(404, "not_found", "unknown sdk version");
  return c.body(SDK_SOURCE, 200, { "content-type": JS, "cache-control": "public, max-age=31536000, immutable", etag: SDK_ETAG });
});

function demoTag(c: { req: { url: string } }): string {
  return snippetTag(`${new URL(c.req.url).origin}/sdk/${SDK_VERSION}.js`, DEMO_WRITE_KEY);
}

sdk.get("/demo", async (c) => {
  const rows = await database(c.env.DB).select().from(itemsTable).where(and(eq(itemsTable.siteId, DEMO_SITE_ID), eq(itemsTable.available, true))).limit(60).all();
  return c.html(homePage(rows, demoTag(c)));
});

sdk.get("/demo/demo.js", (c) => c.body(DEMO_JS, 200, { "content-type": JS, "cache-control": "public, max-age=300" }));
sdk.get("/demo/demo.css", (c) => c.body(DEMO_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" }));

sdk.get("/demo/p/:id", async (c) => {
  const id = parseOrThrow(idString, c.req.param("id"), "item id");
  const item = await findItem(database(c.env.DB), DEMO_SITE_ID, id);
  if (!item) throw new ApiError(404, "item_not_found", `no demo item ${id}`);
  return c.html(productPage(item, demoTag(c)));
});

sdk.get("/demo/img/:file", async (c) => {
  const id = c.req.param("file").replace(/\.svg$/, "");
  const item = await findItem(database(c.env.DB), DEMO_SITE_ID, id);
  return c.body(itemSvg(id, item?.title ?? id), 200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" });
});
