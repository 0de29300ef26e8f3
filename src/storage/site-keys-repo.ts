// A site's credentials in D1: public write keys and secret server keys (stored as SHA-256 only) and identity
// secrets (kept readable: the Worker verifies HMACs with them). Rotation keeps the old credential for an overlap.
import { sha256Hex } from "../lib/crypto";

export type KeyKind = "write" | "server" | "identity";
export type KeyListing = { id: string; kind: KeyKind; hint: string; createdAt: number; expiresAt: number | null };

/** Characters of a key shown in listings (the `pk_`/`sk_`/`is_` prefix and a few more). */
const HINT_CHARS = 7;

/** Rows migrated from the old plain-text column; rewritten to their hash on first use. */
const LEGACY_PREFIX = "plain:";

export function keyHint(key: string): string {
  return `${key.slice(0, HINT_CHARS)}…`;
}

/** The site and kind a presented key belongs to, or null (unknown or expired). */
export async function findKey(d1: D1Database, key: string, now: number): Promise<{ siteId: string; kind: "write" | "server" } | null> {
  const hash = await sha256Hex(key);
  const row = await d1
    .prepare(
      `SELECT site_id, kind, key_hash FROM site_keys WHERE key_hash IN (?1, ?2) AND kind != 'identity'
         AND (expires_at IS NULL OR expires_at > ?3) LIMIT 1`,
    )
    .bind(hash, LEGACY_PREFIX + key, now)
    .first<{ site_id: string; kind: "write" | "server"; key_hash: string }>();
  if (!row) return null;
  if (row.key_hash.startsWith(LEGACY_PREFIX)) {
    await d1.prepare(`UPDATE site_keys SET key_hash = ?1 WHERE key_hash = ?2`).bind(hash, row.key_hash).run();
  }
  return { siteId: row.site_id, kind: row.kind };
}

/** True when some site (other than `exceptSite`) already holds this key. */
export async function keyTaken(d1: D1Database, key: string, exceptSite?: string): Promise<boolean> {
  const hash = await sha256Hex(key);
  const row = await d1
    .prepare(`SELECT site_id FROM site_keys WHERE key_hash IN (?1, ?2) AND site_id != ?3 LIMIT 1`)
    .bind(hash, LEGACY_PREFIX + key, exceptSite ?? "")
    .first();
  return row !== null;
}

/** Whether the site already holds exactly this key (a PUT repeating a fixed key keeps it). */
export async function siteHasKey(d1: D1Database, siteId: string, key: string): Promise<boolean> {
  const hash = await sha256Hex(key);
  const row = await d1
    .prepare(`SELECT 1 FROM site_keys WHERE site_id = ?1 AND key_hash IN (?2, ?3) LIMIT 1`)
    .bind(siteId, hash, LEGACY_PREFIX + key)
    .first();
  return row !== null;
}

/** Listing for admins: ids, kinds, hints and expiry, never the keys or hashes. */
export async function listKeys(d1: D1Database, siteId: string, now: number): Promise<KeyListing[]> {
  const { results } = await d1
    .prepare(`SELECT id, kind, hint, created_at, expires_at FROM site_keys WHERE site_id = ?1 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY created_at, id`)
    .bind(siteId, now)
    .all<{ id: string; kind: KeyKind; hint: string; created_at: number; expires_at: number | null }>();
  return results.map((r) => ({ id: r.id, kind: r.kind, hint: r.hint, createdAt: r.created_at, expiresAt: r.expires_at }));
}

/** Identity secrets still valid (the newest first): proofs made with any of them verify during an overlap. */
export async function identitySecrets(d1: D1Database, siteId: string, now: number): Promise<string[]> {
  const { results } = await d1
    .prepare(`SELECT secret FROM site_keys WHERE site_id = ?1 AND kind = 'identity' AND (expires_at IS NULL OR expires_at > ?2) ORDER BY created_at DESC`)
    .bind(siteId, now)
    .all<{ secret: string }>();
  return results.map((r) => r.secret);
}

/**
 * Replaces the site's current credentials of one kind: every non-expired one expires at `now + overlapMs` (never
 * later than it already would), then the new one is stored.
 */
export async function rotateKey(d1: D1Database, siteId: string, kind: KeyKind, key: string, overlapMs: number, now: number): Promise<KeyListing> {
  const id = `${kind}-${now.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const hash = await sha256Hex(key);
  // One transaction: a reader never sees the site with no valid credential of this kind.
  await d1.batch([
    d1
      .prepare(`UPDATE site_keys SET expires_at = MIN(COALESCE(expires_at, ?4), ?4) WHERE site_id = ?1 AND kind = ?2 AND (expires_at IS NULL OR expires_at > ?3)`)
      .bind(siteId, kind, now, now + overlapMs),
    insertStatement(d1, siteId, id, kind, hash, key, now),
  ]);
  return { id, kind, hint: keyHint(key), createdAt: now, expiresAt: null };
}

function insertStatement(d1: D1Database, siteId: string, id: string, kind: KeyKind, hash: string, key: string, now: number): D1PreparedStatement {
  return d1
    .prepare(`INSERT INTO site_keys (site_id, id, kind, key_hash, secret, hint, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)`)
    .bind(siteId, id, kind, hash, kind === "identity" ? key : null, keyHint(key), now);
}

/** Whether the site has any valid credential of this kind. */
export async function hasKeyOfKind(d1: D1Database, siteId: string, kind: KeyKind, now: number): Promise<boolean> {
  const row = await d1
    .prepare(`SELECT 1 FROM site_keys WHERE site_id = ?1 AND kind = ?2 AND (expires_at IS NULL OR expires_at > ?3) LIMIT 1`)
    .bind(siteId, kind, now)
    .first();
  return row !== null;
}
