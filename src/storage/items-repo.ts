// The catalog in D1: bulk upsert in one transaction, single reads.
import { and, eq } from "drizzle-orm";
import { D1_JSON_CHUNK_BYTES } from "../config/limits";
import { jsonChunks } from "../lib/json-chunks";
import type { CatalogItem } from "../schemas/items";
import type { Database } from "./db";
import { items, type ItemRow } from "./schema";

const UPSERT_ITEMS = `
INSERT INTO items (site_id, id, title, url, image, categories, tags, attributes, available, created_at, updated_at)
SELECT ?1, json_extract(value, '$.id'), json_extract(value, '$.title'), json_extract(value, '$.url'),
       json_extract(value, '$.image'), json_extract(value, '$.categories'), json_extract(value, '$.tags'),
       json_extract(value, '$.attributes'), json_extract(value, '$.available'), ?2, ?2
FROM json_each(?3) WHERE true
ON CONFLICT(site_id, id) DO UPDATE SET
  title = excluded.title, url = excluded.url, image = excluded.image, categories = excluded.categories,
  tags = excluded.tags, attributes = excluded.attributes, available = excluded.available, updated_at = excluded.updated_at`;

/** Upserts a validated list atomically; the last occurrence of a repeated id wins. Returns the number of rows. */
export async function upsertItems(d1: D1Database, siteId: string, list: readonly CatalogItem[], now: number): Promise<number> {
  const byId = new Map(list.map((item) => [item.id, item]));
  const rows = [...byId.values()].map((i) => ({
    id: i.id,
    title: i.title ?? null,
    url: i.url ?? null,
    image: i.image ?? null,
    categories: i.categories,
    tags: i.tags,
    attributes: i.attributes ?? null,
    available: i.available ? 1 : 0,
  }));
  await d1.batch(jsonChunks(rows, D1_JSON_CHUNK_BYTES).map((chunk) => d1.prepare(UPSERT_ITEMS).bind(siteId, now, chunk)));
  return rows.length;
}

export async function findItem(db: Database, siteId: string, id: string): Promise<ItemRow | undefined> {
  return db.select().from(items).where(and(eq(items.siteId, siteId), eq(items.id, id))).get();
}

/** The public shape of a catalog row. */
export function itemView(row: ItemRow) {
  return {
    id: row.id,
    title: row.title,
    url: row.url,
    image: row.image,
    categories: row.categories,
    tags: row.tags,
    attributes: row.attributes ?? {},
    available: row.available,
    updatedAt: row.updatedAt.getTime(),
  };
}
