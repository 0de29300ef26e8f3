// Identity proofs: a userId from a browser counts only if the site's backend vouched for it with an HMAC of the id
// under the site's identity secret (Intercom's identity verification). Without a valid proof the event is kept as
// an anonymous one and the answer says so.
import { HMAC_KEY_CACHE_MAX_ENTRIES } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import type { IngestEvent, IngestResult } from "../schemas/events";

export type ProofPolicy = {
  /** The caller is the site's backend (server key) or the operator: user ids are trusted as sent. */
  trusted: boolean;
  /** The site turned verification off (unsafe): browsers' user ids are trusted as sent. */
  verificationOff: boolean;
  /** Valid identity secrets, newest first (several during a rotation overlap). */
  secrets: readonly string[];
};

const encoder = new TextEncoder();
// Imported keys by secret; a secret's key never changes, so entries live until evicted (a rotated-out secret's key
// simply stops being asked for). Concurrent batches share one import.
const keys = new IsolateCache<string, CryptoKey>({ maxEntries: HMAC_KEY_CACHE_MAX_ENTRIES });

function hmacKey(secret: string): Promise<CryptoKey> {
  return keys.getOrLoad(
    secret,
    () => crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]),
    Infinity,
  );
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** True when `userHash` is the HMAC-SHA256 of `userId` under one of the secrets (constant-time per secret). */
export async function proofValid(secrets: readonly string[], userId: string, userHash: string | undefined): Promise<boolean> {
  if (userHash === undefined || secrets.length === 0) return false;
  const signature = hexBytes(userHash);
  const data = encoder.encode(userId);
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, data)) return true;
  }
  return false;
}

export type Warning = IngestResult["rejected"][number];

/**
 * Drops unproven user ids (the event stays, as an anonymous one) and the proofs themselves (never stored). Each
 * distinct (userId, userHash) pair is verified once per batch.
 */
export async function verifyUserIds(events: readonly IngestEvent[], indexes: readonly number[], policy: ProofPolicy): Promise<{ events: IngestEvent[]; warnings: Warning[] }> {
  // Most events carry no proof: they pass through as they are, with no copy on the ingest path.
  const strip = (e: IngestEvent): IngestEvent => {
    if (e.userHash === undefined) return e;
    const { userHash: _proof, ...rest } = e;
    return rest;
  };
  if (policy.trusted || policy.verificationOff) return { events: events.map(strip), warnings: [] };
  const verdicts = new Map<string, Promise<boolean>>();
  if (!events.some((e) => e.userId !== undefined)) return { events: events.map(strip), warnings: [] };
  const checks = events.map((e) => {
    if (e.userId === undefined) return Promise.resolve(true);
    const pair = `${e.userId}\u0000${e.userHash ?? ""}`;
    let v = verdicts.get(pair);
    if (!v) verdicts.set(pair, (v = proofValid(policy.secrets, e.userId, e.userHash)));
    return v;
  });
  const ok = await Promise.all(checks);
  const warnings: Warning[] = [];
  const out = events.map((e, i) => {
    if (ok[i]) return strip(e);
    warnings.push({
      index: indexes[i]!,
      id: e.id,
      field: "userId",
      code: "unverified_user_id",
      message:
        e.userHash === undefined
          ? "userId needs a userHash (HMAC-SHA256 of the user id under the site's identity secret); stored as an anonymous event"
          : "userHash does not match userId; stored as an anonymous event",
    });
    const { userId: _unproven, userHash: _proof, ...anonymous } = e;
    return anonymous;
  });
  return { events: out, warnings };
}
