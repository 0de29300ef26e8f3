// Catalog: PUT /v1/items (admin bulk upsert), GET /v1/items/:id (public, with the site key).
import { Hono } from "hono";
import { MAX_ITEMS_BODY_BYTES } from "../config/limits";
import type { AppEnv } from "../lib/app-env";
import { assertAdmin, requireSite } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { ApiError } from "../lib/errors";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { idString } from "../schemas/common";
import { itemUpsertSchema } from "../schemas/items";
import { database } from "../storage/db";
import { findItem, itemView, upsertItems } from "../storage/items-repo";

export const items = new Hono<AppEnv>();

items.put("/", requireSite, async (c) => {
  assertAdmin(c);
  const body = parseOrThrow(itemUpsertSchema, parseJsonText(await readCappedText(c, MAX_ITEMS_BODY_BYTES)), "items");
  const upserted = await upsertItems(c.env.DB, c.get("site").id, body.items, Date.now());
  return c.json({ upserted }, 200);
});

items.get("/:id", requireSite, async (c) => {
  const id = parseOrThrow(idString, c.req.param("id"), "item id");
  const row = await findItem(database(c.env.DB), c.get("site").id, id);
  if (!row) throw new ApiError(404, "item_not_found", `no catalog entry for item ${id}`);
  return c.json(itemView(row));
});
