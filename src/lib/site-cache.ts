// Isolate-memory cache of credentials: every /v1 request needs its site, role and identity secrets, and D1 is kept
// off hot paths. Entries live in isolate memory only (keyed by the presented key; D1 holds only its hash).
import { SITE_CACHE_MAX_ENTRIES } from "../config/limits";
import type { SiteRow } from "../storage/schema";
import { database } from "../storage/db";
import { findSite } from "../storage/sites-repo";
import { findKey, identitySecrets, type KeyKind } from "../storage/site-keys-repo";
import { IsolateCache } from "./isolate-cache";

/** Misses are cached at most this long, so a key created elsewhere works soon. */
const MISS_TTL_MS = 5000;

export type Credential = { site: SiteRow; kind: Exclude<KeyKind, "identity">; identitySecrets: string[] };

const cache = new IsolateCache<string, Credential | null>({ maxEntries: SITE_CACHE_MAX_ENTRIES });

/**
 * The site and role for a presented key, or null. Misses are cached too (briefly) so a flood of bad keys does not
 * reach D1. A key change takes effect within `ttlMs` in every isolate; admin writes also clear this isolate's cache.
 */
export function credentialForKey(d1: D1Database, key: string, ttlMs: number): Promise<Credential | null> {
  // Concurrent requests with one uncached key share one D1 lookup.
  return cache.getOrLoad(key, () => lookUp(d1, key, Date.now()), (credential) => (credential ? ttlMs : Math.min(ttlMs, MISS_TTL_MS)));
}

async function lookUp(d1: D1Database, key: string, now: number): Promise<Credential | null> {
  const found = await findKey(d1, key, now);
  if (!found) return null;
  const [site, secrets] = await Promise.all([findSite(database(d1), found.siteId), identitySecrets(d1, found.siteId, now)]);
  return site ? { site, kind: found.kind, identitySecrets: secrets } : null;
}

/** Whether this key's answer (found or not) is cached here: a miss will cost a D1 lookup. */
export function credentialCached(key: string): boolean {
  return cache.has(key);
}

/** Tests and admin writes that replace keys call this to drop everything. */
export function clearSiteCache(): void {
  cache.clear();
}
