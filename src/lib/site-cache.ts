// Isolate-memory cache of credentials: every /v1 request needs its site, role and identity secrets, and D1 is kept
// off hot paths. Keys are cached by their SHA-256, never in plain text.
import type { SiteRow } from "../storage/schema";
import { database } from "../storage/db";
import { findSite } from "../storage/sites-repo";
import { findKey, identitySecrets, type KeyKind } from "../storage/site-keys-repo";

const MAX_ENTRIES = 1000;

export type Credential = { site: SiteRow; kind: Exclude<KeyKind, "identity">; identitySecrets: string[] };

const cache = new Map<string, { credential: Credential | null; expires: number }>();

/**
 * The site and role for a presented key, or null. Misses are cached too (briefly) so a flood of bad keys does not
 * reach D1. A key change takes effect within `ttlMs` in every isolate; admin writes also clear this isolate's cache.
 */
export async function credentialForKey(d1: D1Database, key: string, ttlMs: number, now = Date.now()): Promise<Credential | null> {
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.credential;
  const found = await findKey(d1, key, now);
  let credential: Credential | null = null;
  if (found) {
    const [site, secrets] = await Promise.all([findSite(database(d1), found.siteId), identitySecrets(d1, found.siteId, now)]);
    if (site) credential = { site, kind: found.kind, identitySecrets: secrets };
  }
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, { credential, expires: now + (credential ? ttlMs : Math.min(ttlMs, 5000)) });
  return credential;
}

/** Whether this key's answer (found or not) is cached here: a miss will cost a D1 lookup. */
export function credentialCached(key: string, now = Date.now()): boolean {
  const hit = cache.get(key);
  return hit !== undefined && hit.expires > now;
}

/** Tests and admin writes that replace keys call this to drop everything. */
export function clearSiteCache(): void {
  cache.clear();
}
