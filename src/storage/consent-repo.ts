// Consent choices in D1, plus the per-isolate cache the recommend path reads.
import type { ConsentChoice } from "../schemas/consent";

export type Consent = { analytics: boolean; personalization: boolean; updatedAt: number };

/** Stores a choice; an older choice (by client time) arriving after a newer one does not overwrite it. */
export async function saveConsent(d1: D1Database, siteId: string, choice: ConsentChoice, now: number): Promise<Consent> {
  const at = Math.min(choice.ts ?? now, now);
  const row = await d1
    .prepare(
      `INSERT INTO consents (site_id, anonymous_id, user_id, analytics, personalization, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT(site_id, anonymous_id) DO UPDATE SET user_id = COALESCE(excluded.user_id, consents.user_id),
         analytics = excluded.analytics, personalization = excluded.personalization, updated_at = excluded.updated_at
       WHERE excluded.updated_at >= consents.updated_at
       RETURNING analytics, personalization, updated_at`,
    )
    .bind(siteId, choice.anonymousId, choice.userId ?? null, choice.analytics ? 1 : 0, choice.personalization ? 1 : 0, at)
    .first<{ analytics: number; personalization: number; updated_at: number }>();
  cache.delete(`${siteId}\u0000${choice.anonymousId}`);
  if (row) return { analytics: row.analytics === 1, personalization: row.personalization === 1, updatedAt: row.updated_at };
  // The stored choice is newer: report it.
  return (await loadConsent(d1, siteId, choice.anonymousId))!;
}

export async function loadConsent(d1: D1Database, siteId: string, anonymousId: string): Promise<Consent | null> {
  const r = await d1
    .prepare(`SELECT analytics, personalization, updated_at FROM consents WHERE site_id = ?1 AND anonymous_id = ?2`)
    .bind(siteId, anonymousId)
    .first<{ analytics: number; personalization: number; updated_at: number }>();
  return r ? { analytics: r.analytics === 1, personalization: r.personalization === 1, updatedAt: r.updated_at } : null;
}

/** The statement that lists, among a batch's anonymous ids, those who declined analytics (run in the ingest read batch). */
export function declinedAnalyticsStatement(d1: D1Database, siteId: string, anonymousIds: readonly string[]): D1PreparedStatement {
  return d1
    .prepare(`SELECT anonymous_id FROM consents WHERE site_id = ?1 AND analytics = 0 AND anonymous_id IN (SELECT value FROM json_each(?2))`)
    .bind(siteId, JSON.stringify(anonymousIds));
}

const CACHE_MS = 60_000;
const cache = new Map<string, { consent: Consent | null; expires: number }>();

/** Cached read for the recommend path: a changed choice applies at once in this isolate, within a minute elsewhere. */
export async function cachedConsent(d1: D1Database, siteId: string, anonymousId: string, now = Date.now()): Promise<Consent | null> {
  const key = `${siteId}\u0000${anonymousId}`;
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.consent;
  const consent = await loadConsent(d1, siteId, anonymousId);
  if (cache.size > 50_000) cache.clear();
  cache.set(key, { consent, expires: now + CACHE_MS });
  return consent;
}
