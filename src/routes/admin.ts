// /admin: operator endpoints behind the admin bearer token. Sites and keys here; models and segments come later.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireAdmin } from "../lib/auth";
import { randomToken } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { clearSiteCache } from "../lib/site-cache";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { readCappedText } from "../lib/body";
import { siteIdString, siteUpsertSchema } from "../schemas/sites";
import { database } from "../storage/db";
import { findSite, findSiteByKey, listSites, upsertSite } from "../storage/sites-repo";
import type { SiteRow } from "../storage/schema";

export const admin = new Hono<AppEnv>();
admin.use("*", requireAdmin);

const ADMIN_BODY_BYTES = 64 * 1024;

function siteView(s: SiteRow) {
  return {
    id: s.id,
    name: s.name,
    writeKey: s.writeKey,
    allowedOrigins: s.allowedOrigins,
    createdAt: s.createdAt.getTime(),
    updatedAt: s.updatedAt.getTime(),
  };
}

admin.get("/sites", async (c) => c.json({ sites: (await listSites(database(c.env.DB))).map(siteView) }));

admin.get("/sites/:id", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const site = await findSite(database(c.env.DB), id);
  if (!site) throw new ApiError(404, "site_not_found", `no site ${id}`);
  return c.json(siteView(site));
});

/** Idempotent create-or-update; a missing writeKey keeps the existing key, or generates one for a new site. */
admin.put("/sites/:id", async (c) => {
  const id = parseOrThrow(siteIdString, c.req.param("id"), "site id");
  const body = parseOrThrow(siteUpsertSchema, parseJsonText(await readCappedText(c, ADMIN_BODY_BYTES)), "site");
  const db = database(c.env.DB);
  const existing = await findSite(db, id);
  const writeKey = body.writeKey ?? existing?.writeKey ?? `pk_${randomToken(18)}`;
  const holder = await findSiteByKey(db, writeKey);
  if (holder && holder.id !== id) {
    throw new ApiError(409, "write_key_taken", "another site already uses this writeKey", [{ path: "writeKey", message: "already in use" }]);
  }
  const site = await upsertSite(db, { id, name: body.name, writeKey, allowedOrigins: body.allowedOrigins }, new Date());
  clearSiteCache();
  return c.json(siteView(site), existing ? 200 : 201);
});

