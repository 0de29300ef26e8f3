// Display details and availability of catalog items, cached per isolate so the recommend path reads D1 only on a
// miss (one query for all missing ids). Items absent from the catalog are valid: available, without details.
import { CATALOG_CACHE_MAX_ENTRIES, MAX_K } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";

export type ItemDetails = {
  title: string | null;
  url: string | null;
  image: string | null;
  available: boolean;
  categories: string[];
  tags: string[];
};

/** How stale availability and titles may be in one isolate; PUT /v1/items clears this isolate's copy at once. */
const DETAILS_TTL_MS = 60_000;
// Many ids per lookup, so get/set rather than getOrLoad: one D1 query serves all of a request's misses.
const cache = new IsolateCache<string, ItemDetails | null>({ maxEntries: CATALOG_CACHE_MAX_ENTRIES });

const key = (siteId: string, itemId: string) => `${siteId}\u0000${itemId}`;

export async function itemDetails(d1: D1Database, siteId: string, ids: readonly string[]): Promise<Map<string, ItemDetails | null>> {
  const out = new Map<string, ItemDetails | null>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const hit = cache.get(key(siteId, id));
    // null is a cached answer too ("not in the catalog"); only undefined is a miss.
    if (hit !== undefined) out.set(id, hit);
    else missing.push(id);
  }
  // json_each keeps the whole lookup to one statement with 2 bound parameters, whatever the count.
  for (let i = 0; i < missing.length; i += MAX_K * 4) {
    const chunk = missing.slice(i, i + MAX_K * 4);
    const { results } = await d1
      .prepare(`SELECT id, title, url, image, available, categories, tags FROM items WHERE site_id = ?1 AND id IN (SELECT value FROM json_each(?2))`)
      .bind(siteId, JSON.stringify(chunk))
      .all<{ id: string; title: string | null; url: string | null; image: string | null; available: number; categories: string; tags: string }>();
    const found = new Map(
      results.map((r) => [
        r.id,
        { title: r.title, url: r.url, image: r.image, available: r.available === 1, categories: JSON.parse(r.categories) as string[], tags: JSON.parse(r.tags) as string[] },
      ]),
    );
    for (const id of chunk) {
      const details = found.get(id) ?? null;
      cache.set(key(siteId, id), details, DETAILS_TTL_MS);
      out.set(id, details);
    }
  }
  return out;
}

export function clearCatalogCache(): void {
  cache.clear();
}
