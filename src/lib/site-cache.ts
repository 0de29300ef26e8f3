// Isolate-memory cache of sites by write key: every /v1 request needs its site, and D1 is kept off hot paths.
import type { SiteRow } from "../storage/schema";
import { database } from "../storage/db";
import { findSiteByKey } from "../storage/sites-repo";

const MAX_ENTRIES = 1000;
const cache = new Map<string, { site: SiteRow | null; expires: number }>();

/**
 * The site for a write key, or null. Misses are cached too (briefly) so a flood of bad keys does not reach D1.
 * A key change takes effect within `ttlMs` in every isolate; admin writes also evict the local entry.
 */
export async function siteForKey(d1: D1Database, key: string, ttlMs: number, now = Date.now()): Promise<SiteRow | null> {
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.site;
  const site = (await findSiteByKey(database(d1), key)) ?? null;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, { site, expires: now + (site ? ttlMs : Math.min(ttlMs, 5000)) });
  return site;
}

/** Tests and admin writes that replace keys call this to drop everything. */
export function clearSiteCache(): void {
  cache.clear();
}
