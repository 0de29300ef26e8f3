// Personalized recommendation lists cached per (site, visitor, slot, request rules): in KV, where a list saves a D1
// read of the visitor, and in the isolate. An entry records the
// session state it was computed for, so any new step (a click, a purchase, a new session) makes it stale at once
// without a KV write per event; a TTL bounds what other devices' activity can leave stale.
import { LIST_MEMO_MAX_ENTRIES, LIST_MEMO_MS } from "../config/limits";
import { sha256Hex } from "../lib/crypto";
import { IsolateCache } from "../lib/isolate-cache";
import type { Recommendations } from "./recommend";

/** KV's minimum expirationTtl is 60 s. */
export const REC_CACHE_TTL_S = 300;

export type CachedList = { state: string; createdAt: number; recs: Recommendations };

/**
 * Every cached list of one visitor starts with this prefix (erasure lists and deletes them). The visitor's id is
 * hashed: a KV key is at most 512 bytes (a 128-character id of emoji is 512 bytes alone), and key listings must not
 * show visitor ids. `who` is `u:<userId>` or `a:<anonymousId>`.
 */
export async function recCacheVisitorPrefix(siteId: string, who: string): Promise<string> {
  return `r/${siteId}/${(await sha256Hex(`${siteId}\u0000${who}`)).slice(0, 32)}/`;
}

/** The visitor part of the key: the caller's own (verified) id, so one visitor's list is never another's. */
async function recCacheKey(siteId: string, visitor: { userId?: string; anonymousId?: string }, slot: string, paramsDigest: string): Promise<string | null> {
  const who = visitor.userId !== undefined ? `u:${visitor.userId}` : visitor.anonymousId !== undefined ? `a:${visitor.anonymousId}` : null;
  if (who === null) return null;
  return `${await recCacheVisitorPrefix(siteId, who)}${slot}/${paramsDigest}`;
}

/**
 * A cached list's two keys: `near`, the isolate tier's (plain text: the ids never leave the isolate's memory), and
 * `far`, the KV key (hashed), computed only when KV is consulted, so an isolate hit costs no digest.
 */
export type ListKey = { near: string; far: () => Promise<string | null> };

export function listKey(siteId: string, visitor: { userId?: string; anonymousId?: string }, slot: string, params: Record<string, unknown>): ListKey {
  let far: Promise<string | null> | undefined;
  return {
    near: JSON.stringify([siteId, visitor.userId ?? null, visitor.userId === undefined ? (visitor.anonymousId ?? null) : null, slot, params]),
    far: () => (far ??= paramsDigest(params).then((d) => recCacheKey(siteId, visitor, slot, d))),
  };
}

/** Identifies what a list was computed from: session id, path length and newest step, model version. */
export function sessionState(sessionId: string | undefined, path: readonly string[], modelVersion: string | null): string {
  return JSON.stringify([sessionId ?? null, path.length, path.at(-1) ?? null, modelVersion]);
}

// The isolate's tier in front of KV: the same entries, kept LIST_MEMO_MS, so a repeated read costs no KV round trip.
// Erasure drops this isolate's tier (dropIsolateLists); other isolates' copies expire within LIST_MEMO_MS.
const isolateTier = new IsolateCache<string, CachedList>({ maxEntries: LIST_MEMO_MAX_ENTRIES });

/**
 * `useKv: false` (the visitor's context is in this isolate, so computing the list costs no storage read): only the
 * isolate tier is consulted and written, since a KV round trip would cost about what computing the list does.
 */
export async function readCachedList(kv: KVNamespace, k: ListKey, state: string, useKv = true): Promise<Recommendations | null> {
  const near = isolateTier.get(k.near);
  if (near?.state === state) return near.recs;
  const far = useKv ? await k.far() : null;
  if (far === null) return null;
  const hit = await kv.get<CachedList>(far, { type: "json" });
  if (hit) isolateTier.set(k.near, hit, LIST_MEMO_MS);
  return hit && hit.state === state ? hit.recs : null;
}

export async function writeCachedList(kv: KVNamespace, k: ListKey, state: string, recs: Recommendations, now = Date.now(), useKv = true): Promise<void> {
  const value: CachedList = { state, createdAt: now, recs };
  isolateTier.set(k.near, value, LIST_MEMO_MS);
  const far = useKv ? await k.far() : null;
  if (far !== null) await kv.put(far, JSON.stringify(value), { expirationTtl: REC_CACHE_TTL_S });
}

/** Erasure: this isolate keeps none of its cached visitor lists (keys are hashed, so not one visitor's alone). */
export function dropIsolateLists(): void {
  isolateTier.clear();
}

/** A short digest of the request's rules, so different filters never share an entry. */
async function paramsDigest(params: Record<string, unknown>): Promise<string> {
  const canonical = JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return [...new Uint8Array(hash).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
