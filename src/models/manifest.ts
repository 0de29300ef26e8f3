// The model manifest: which artifact version a site serves, which one it can roll back to, and the training
// bookkeeping an incremental retrain resumes from. Pure data helpers (the KV I/O is in storage/model-store.ts).
import { READABLE_VERSIONS } from "./artifact";
import type { SessionModelConfig } from "../recommend/trainer";

export type ModelVersion = {
  version: string;
  createdAt: number;
  format: number;
  /** The session artifact's list families, in stored order; absent in format-1 versions (then "after", "with"). */
  families?: string[];
  configDigest: string;
  itemCount: number;
  nShards: number;
  statsParts: number;
  /** Highest model_deltas id merged into this version's statistics. */
  watermark: number;
  /** Deltas of steps before this hour bucket are already inside the statistics (counted from the raw log). */
  cutBucket: number;
  bytes: { shards: number; trending: number; stats: number; personal?: number };
  /**
   * Personalization lists and their JSON side data; absent in old versions. `families`: the personal artifact's
   * list families in stored order; absent in format-1 versions (then "itemCf", "content").
   */
  personal?: { nShards: number; families?: string[] };
  metrics: Record<string, number | string>;
  /**
   * When a guardrail or an operator rolled this version back as a canary: it is never served again, but stays kept
   * while it is the newest (its statistics are what the next incremental retrain resumes from).
   */
  rolledBackAt?: number;
};

/** A version served to a share of visitors before it may become current (src/models/canary.ts). */
export type Canary = {
  version: string;
  /** Share of visitors (0..CANARY_MAX_SHARE) served it, by a hash of their key. */
  share: number;
  startedAt: number;
};

export type Manifest = {
  /** Served version. */
  current: ModelVersion;
  /** Kept versions, newest first; all still readable in KV. `current` is one of them. */
  versions: ModelVersion[];
  /** The pending canary, one of `versions`; absent when none. */
  canary?: Canary;
};

/** How many versions stay readable (the served one, its predecessors for rollback). */
export const KEEP_VERSIONS = 3;

/**
 * The format the digest hashes. It was the artifact format when the digest began; artifact format 2 (named list
 * families) changed only the list shards, which every retrain rebuilds, not what the statistics mean, so the digest
 * stays the same and the first retrain after the bump still resumes incrementally from the last snapshot.
 */
const DIGEST_FORMAT = 1;

/** A stable digest of everything that changes what the statistics mean or how lists are built. */
export async function configDigest(config: SessionModelConfig): Promise<string> {
  const text = JSON.stringify({ format: DIGEST_FORMAT, count: config.count, build: config.build });
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(hash).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Adds a new version on top, served (no `canary`) or as the canary with that share (a site without a model yet
 * serves it at once: there is nothing to compare it with). Returns the new manifest and the versions that fall
 * out (to delete): the oldest first, never the served one nor the canary, and a pending canary it replaces.
 */
export function withNewVersion(
  prev: Manifest | null,
  v: ModelVersion,
  canary?: { share: number; now: number },
): { manifest: Manifest; dropped: ModelVersion[] } {
  const asCanary = canary !== undefined && prev !== null;
  const current = asCanary ? prev.current : v;
  const versions = [v, ...(prev?.versions ?? [])];
  const keep = new Set([v.version, current.version]);
  // A pending canary that a newer version replaces is never served again; the newer statistics include its own.
  const superseded = prev?.canary?.version;
  const kept: ModelVersion[] = [];
  const dropped: ModelVersion[] = [];
  // Oldest first out: walk newest to oldest, keeping the protected ones and as many others as fit.
  let room = KEEP_VERSIONS - keep.size;
  for (const x of versions) {
    if (keep.has(x.version)) kept.push(x);
    else if (x.version === superseded) dropped.push(x);
    else if (room > 0) {
      kept.push(x);
      room--;
    } else dropped.push(x);
  }
  const manifest: Manifest = { current, versions: kept };
  if (asCanary) manifest.canary = { version: v.version, share: canary.share, startedAt: canary.now };
  return { manifest, dropped };
}

/** Serves the kept version before the current one (never one rolled back as a canary). Null when there is none. */
export function rolledBack(m: Manifest): Manifest | null {
  const i = m.versions.findIndex((v) => v.version === m.current.version);
  const older = m.versions.slice(i + 1).find((v) => v.rolledBackAt === undefined);
  return older ? { ...m, current: older } : null;
}

/** The version whose statistics an incremental retrain starts from: the newest, whatever is being served. */
export function latestStats(m: Manifest): ModelVersion {
  return m.versions[0]!;
}

/**
 * Whether this code can read the manifest's served version. A version written by a format this code does not read
 * (a rollout of newer code in progress, or a rollback past a format change) is not decoded; readers fall back to
 * trending. Format 1 is still read (its two slots under their old names), so a deploy keeps serving until a retrain.
 */
export function servable(m: Manifest | null): m is Manifest {
  return m !== null && READABLE_VERSIONS.includes(m.current.format);
}
