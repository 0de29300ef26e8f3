// Catalog: PUT /v1/items (admin bulk upsert), GET /v1/items/:id (public, with the site key).
import { Hono } from "hono";
import { MAX_ITEMS_BODY_BYTES } from "../config/limits";
import type { AppEnv } from "../lib/app-env";
import { assertTrusted, requireSite } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { ApiError } from "../lib/errors";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { idString } from "../schemas/common";
import { itemUpsertSchema } from "../schemas/items";
import { similarQuerySchema } from "../schemas/recommendations";
import { clearCatalogCache } from "../serving/catalog-cache";
import { clearListMemo } from "../serving/list-memo";
import { experimentShape, shapeFields, shapedManifest } from "../serving/experiment-shape";
import { modelFor, recommend } from "../serving/recommend";
import { readManifest } from "../storage/model-store";
import { listResponse } from "../serving/list-json";
import { database } from "../storage/db";
import { findItem, itemView, upsertItems } from "../storage/items-repo";

export const items = new Hono<AppEnv>();

items.put("/", requireSite, async (c) => {
  assertTrusted(c);
  const body = parseOrThrow(itemUpsertSchema, parseJsonText(await readCappedText(c, MAX_ITEMS_BODY_BYTES)), "items");
  const upserted = await upsertItems(c.env.DB, c.get("site").id, body.items, Date.now());
  // Availability changes apply at once in this isolate, within the cache TTL elsewhere.
  clearCatalogCache();
  clearListMemo();
  return c.json({ upserted }, 200);
});

items.get("/:id", requireSite, async (c) => {
  const id = parseOrThrow(idString, c.req.param("id"), "item id");
  const row = await findItem(database(c.env.DB), c.get("site").id, id);
  if (!row) throw new ApiError(404, "item_not_found", `no catalog entry for item ${id}`);
  return c.json(itemView(row));
});

/** Items related to one item: the pipeline with the item on screen as the only context (no visitor, no session). */
items.get("/:id/similar", requireSite, async (c) => {
  const id = parseOrThrow(idString, c.req.param("id"), "item id");
  const q = parseOrThrow(similarQuerySchema, c.req.query(), "query");
  const site = c.get("site");
  // A running experiment on slot "similar" shapes the list, keyed by the request's anonymousId (none: the control).
  const [read, shape] = await Promise.all([
    readManifest(c.env.MODELS, site.id),
    experimentShape(c.env.DB, site.id, "similar", q.anonymousId ?? null, { weights: site.config.weights, rules: {} }),
  ]);
  // Back-filled like every other list (the item's category first, then trending), so it reaches k when it can.
  const recs = await recommend(c.env, site.id, shapedManifest(modelFor(read, null), shape), {
    path: [id],
    sessionPath: [],
    current: id,
    slot: "similar",
    visitor: null,
    ...shapeFields(shape, site.config),
    k: q.k,
    now: Date.now(),
  });
  c.header("cache-control", "private, max-age=60");
  // No `personalized`: this list is about the item, never the visitor.
  return listResponse(c, { recommendationId: recs.recommendationId, modelVersion: recs.modelVersion, itemId: id, items: recs.items });
});
