// Consent choices in D1 (current choice + audit history, receipts against forged changes), plus the per-isolate
// cache the recommend path reads.
import { CONSENT_CACHE_MAX_ENTRIES } from "../config/limits";
import { randomToken, sha256Hex } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { IsolateCache } from "../lib/isolate-cache";
import type { ConsentChoice } from "../schemas/consent";

export type ConsentSource = "browser" | "server";
export type Consent = { analytics: boolean; personalization: boolean; updatedAt: number; source: ConsentSource };
export type SavedConsent = {
  consent: Consent;
  /** False when a newer choice was already stored (kept in the history, not applied). */
  applied: boolean;
  /** The token the caller must show to change this choice again; null when nothing was applied (keep the old one). */
  receipt: string | null;
};

type ConsentRow = { analytics: number; personalization: number; updated_at: number; source: ConsentSource; receipt_hash: string | null };

function toConsent(r: ConsentRow): Consent {
  return { analytics: r.analytics === 1, personalization: r.personalization === 1, updatedAt: r.updated_at, source: r.source };
}

// The WHERE of the upsert is the whole anti-forgery rule, checked atomically with the write: a trusted caller may
// always change the choice; a browser only a browser-recorded one, and only by showing the receipt of it
// (`receipt_hash IS ?` also lets a browser change a pre-receipt legacy row, whose hash is NULL, without one).
const UPSERT = `
INSERT INTO consents (site_id, anonymous_id, user_id, analytics, personalization, updated_at, source, receipt_hash)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT(site_id, anonymous_id) DO UPDATE SET user_id = COALESCE(excluded.user_id, consents.user_id),
  analytics = excluded.analytics, personalization = excluded.personalization, updated_at = excluded.updated_at,
  source = excluded.source, receipt_hash = excluded.receipt_hash
WHERE excluded.updated_at >= consents.updated_at AND (?9 = 1 OR (consents.source = 'browser' AND consents.receipt_hash IS ?10))`;

// The new receipt's hash is unique to this request, so finding it in `consents` means the upsert was applied.
const HISTORY_IF_APPLIED = `
INSERT INTO consent_history (site_id, anonymous_id, user_id, analytics, personalization, ts, recorded_at, source, applied)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1 WHERE EXISTS (SELECT 1 FROM consents WHERE site_id = ?1 AND anonymous_id = ?2 AND receipt_hash = ?9)`;

const HISTORY_NOT_APPLIED = `
INSERT INTO consent_history (site_id, anonymous_id, user_id, analytics, personalization, ts, recorded_at, source, applied)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)`;

/**
 * Stores a choice and its history row. An older choice (by client time) arriving after a newer one is kept in the
 * history but not applied. A browser (`source` "browser") changing an existing choice must present its receipt
 * (else 403 `consent_receipt_required`) and can never change a server-recorded one (403 `consent_locked`);
 * re-sending the recorded choice is not a change and answers it unapplied.
 */
export async function saveConsent(
  d1: D1Database,
  siteId: string,
  choice: ConsentChoice,
  source: ConsentSource,
  now: number,
): Promise<SavedConsent> {
  const at = Math.min(choice.ts ?? now, now);
  const receipt = randomToken();
  const [newHash, presented] = await Promise.all([sha256Hex(receipt), choice.receipt ? sha256Hex(choice.receipt) : Promise.resolve(null)]);
  const userId = choice.userId ?? null;
  const analytics = choice.analytics ? 1 : 0;
  const personalization = choice.personalization ? 1 : 0;
  await d1.batch([
    d1.prepare(UPSERT).bind(siteId, choice.anonymousId, userId, analytics, personalization, at, source, newHash, source === "server" ? 1 : 0, presented),
    d1.prepare(HISTORY_IF_APPLIED).bind(siteId, choice.anonymousId, userId, analytics, personalization, at, now, source, newHash),
  ]);
  cache.delete(cacheKey(siteId, choice.anonymousId));
  const row = (await loadConsentRow(d1, siteId, choice.anonymousId))!;
  if (row.receipt_hash === newHash) return { consent: toConsent(row), applied: true, receipt };
  if (source === "browser") {
    // The same choice again (a banner that re-sends it on every page, two pushes before the first answer) changes
    // nothing: no receipt needed, nothing recorded.
    const same = (row.analytics === 1) === choice.analytics && (row.personalization === 1) === choice.personalization;
    if (same) return { consent: toConsent(row), applied: false, receipt: null };
    if (row.source === "server") {
      throw new ApiError(403, "consent_locked", "this choice was recorded by the site's server and can only be changed by it", [
        { path: "anonymousId", message: "choice recorded by the server key" },
      ]);
    }
    if (row.receipt_hash !== presented) {
      throw new ApiError(403, "consent_receipt_required", "changing a recorded choice needs the receipt of the previous consent answer", [
        { path: "receipt", message: choice.receipt ? "does not match the recorded choice" : "required to change a recorded choice" },
      ]);
    }
  }
  // Authorised but older than the stored choice: audit it, report the stored one.
  await d1.prepare(HISTORY_NOT_APPLIED).bind(siteId, choice.anonymousId, userId, analytics, personalization, at, now, source).run();
  return { consent: toConsent(row), applied: false, receipt: null };
}

async function loadConsentRow(d1: D1Database, siteId: string, anonymousId: string): Promise<ConsentRow | null> {
  return d1
    .prepare(`SELECT analytics, personalization, updated_at, source, receipt_hash FROM consents WHERE site_id = ?1 AND anonymous_id = ?2`)
    .bind(siteId, anonymousId)
    .first<ConsentRow>();
}

export async function loadConsent(d1: D1Database, siteId: string, anonymousId: string): Promise<Consent | null> {
  const r = await loadConsentRow(d1, siteId, anonymousId);
  return r ? toConsent(r) : null;
}

/**
 * The statement that lists the consent flags of a batch's anonymous ids (run in the ingest read batch): who declined
 * analytics (nothing stored) and who declined personalization (their session objects stop personalizing).
 */
export function consentFlagsStatement(d1: D1Database, siteId: string, anonymousIds: readonly string[]): D1PreparedStatement {
  return d1
    .prepare(
      `SELECT anonymous_id, analytics, personalization FROM consents
       WHERE site_id = ?1 AND (analytics = 0 OR personalization = 0) AND anonymous_id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(siteId, JSON.stringify(anonymousIds));
}

/** The visitor's consent history, oldest first (data export). */
export async function consentHistoryOf(
  d1: D1Database,
  siteId: string,
  anonymousIds: readonly string[],
): Promise<{ anonymousId: string; analytics: boolean; personalization: boolean; ts: number; recordedAt: number; source: ConsentSource; applied: boolean }[]> {
  const { results } = await d1
    .prepare(
      `SELECT anonymous_id, analytics, personalization, ts, recorded_at, source, applied FROM consent_history
       WHERE site_id = ?1 AND anonymous_id IN (SELECT value FROM json_each(?2)) ORDER BY id`,
    )
    .bind(siteId, JSON.stringify(anonymousIds))
    .all<{ anonymous_id: string; analytics: number; personalization: number; ts: number; recorded_at: number; source: ConsentSource; applied: number }>();
  return results.map((r) => ({
    anonymousId: r.anonymous_id,
    analytics: r.analytics === 1,
    personalization: r.personalization === 1,
    ts: r.ts,
    recordedAt: r.recorded_at,
    source: r.source,
    applied: r.applied === 1,
  }));
}

/** Forgets a cached choice in this isolate (after an erasure removed it). */
export function dropCachedConsent(siteId: string, anonymousId: string): void {
  cache.delete(cacheKey(siteId, anonymousId));
}

const CACHE_MS = 60_000;
const cache = new IsolateCache<string, Consent | null>({ maxEntries: CONSENT_CACHE_MAX_ENTRIES });
const cacheKey = (siteId: string, anonymousId: string) => `${siteId}\u0000${anonymousId}`;

/** Cached read for the recommend path: a changed choice applies at once in this isolate, within a minute elsewhere. */
export function cachedConsent(d1: D1Database, siteId: string, anonymousId: string): Promise<Consent | null> {
  // "No choice recorded" (null) is cached too: most visitors never answer a banner. A save or erasure during the
  // read drops the key, and the read in flight then does not fill the cache with the old choice.
  return cache.getOrLoad(cacheKey(siteId, anonymousId), () => loadConsent(d1, siteId, anonymousId), CACHE_MS);
}

/**
 * The cached choices of many visitors (the ingest request path): hits from this isolate's cache, every miss in one
 * D1 query, each filled through getOrLoad so a save or erasure during the read still wins.
 */
export async function cachedConsents(d1: D1Database, siteId: string, anonymousIds: readonly string[]): Promise<Map<string, Consent | null>> {
  const out = new Map<string, Consent | null>();
  const missing: string[] = [];
  for (const a of anonymousIds) {
    const hit = cache.get(cacheKey(siteId, a));
    if (hit === undefined) missing.push(a);
    else out.set(a, hit);
  }
  if (missing.length === 0) return out;
  let batch: Promise<Map<string, Consent>> | undefined;
  const load = () =>
    (batch ??= d1
      .prepare(
        `SELECT anonymous_id, analytics, personalization, updated_at, source, receipt_hash FROM consents
         WHERE site_id = ?1 AND anonymous_id IN (SELECT value FROM json_each(?2))`,
      )
      .bind(siteId, JSON.stringify(missing))
      .all<ConsentRow & { anonymous_id: string }>()
      .then(({ results }) => new Map(results.map((r) => [r.anonymous_id, toConsent(r)]))));
  await Promise.all(
    missing.map(async (a) => out.set(a, await cache.getOrLoad(cacheKey(siteId, a), async () => (await load()).get(a) ?? null, CACHE_MS))),
  );
  return out;
}

/**
 * The visitor's most recent session ids (their live session objects hear about a consent change). Goes through the
 * profile, whose (site, profile, ts) index the events table has; anonymous_id alone is not indexed.
 */
export async function recentSessionIds(d1: D1Database, siteId: string, anonymousId: string, limit: number): Promise<string[]> {
  const { results } = await d1
    .prepare(
      `SELECT session_id, MAX(ts) AS last FROM events
       WHERE site_id = ?1 AND profile_id = (SELECT profile_id FROM identities WHERE site_id = ?1 AND kind = 'anon' AND external_id = ?2)
         AND anonymous_id = ?2
       GROUP BY session_id ORDER BY last DESC LIMIT ?3`,
    )
    .bind(siteId, anonymousId, limit)
    .all<{ session_id: string }>();
  return results.map((r) => r.session_id);
}
