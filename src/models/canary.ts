// Canary model versions (issue 10 part 4): which version a visitor is served while a canary is pending, and the
// manifest after the guardrail's (or an operator's) promotion or rollback. Pure data helpers; the jobs that write
// the manifest are in canary-jobs.ts.
import type { GuardrailThresholds } from "../recommend/canary-guardrail";
import { assignmentHash } from "../recommend/experiments";
import { canaryPolicySchema, type CanaryPolicy, type SiteConfig } from "../schemas/site-config";
import { READABLE_VERSIONS } from "./artifact";
import type { Manifest, ModelVersion } from "./manifest";

/**
 * Whether a visitor key falls in a canary's share. The experiments' assignment hash, salted with `canary:` and the
 * canary's version: ":" never occurs in an experiment id, so the split is independent of every experiment's, and
 * each new canary samples a fresh set of visitors.
 */
export function inCanary(canaryVersion: string, share: number, visitorKey: string): boolean {
  return assignmentHash(`canary:${canaryVersion}\n${visitorKey}`) / 0x1_0000_0000 < share;
}

/**
 * The manifest as one visitor is served it: the canary as `current` for a key in its share, else the manifest
 * itself. No key (an item's similar list, a request naming only a session) always gets the current version.
 */
export function servedManifest(m: Manifest | null, visitorKey: string | null | undefined): Manifest | null {
  const c = m?.canary;
  if (!m || !c || visitorKey == null || !inCanary(c.version, c.share, visitorKey)) return m;
  const v = m.versions.find((x) => x.version === c.version);
  // A canary this code cannot read (a newer format) is not served; the current version is.
  return v && READABLE_VERSIONS.includes(v.format) ? { ...m, current: v } : m;
}

/** The canary becomes the served version; the pointer goes. Null when there is no pending canary. */
export function promoteCanary(m: Manifest): { manifest: Manifest; promoted: ModelVersion } | null {
  const v = m.canary && m.versions.find((x) => x.version === m.canary!.version);
  if (!v) return null;
  return { manifest: { current: v, versions: m.versions }, promoted: v };
}

/** The canary is marked rolled back (kept for its statistics, never served) and the pointer goes; current stays. */
export function rollBackCanary(m: Manifest, now: number): { manifest: Manifest; rolledBack: ModelVersion } | null {
  const version = m.canary?.version;
  const v = version !== undefined ? m.versions.find((x) => x.version === version) : undefined;
  if (!v) return null;
  const marked = { ...v, rolledBackAt: now };
  return { manifest: { current: m.current, versions: m.versions.map((x) => (x.version === version ? marked : x)) }, rolledBack: marked };
}

/** A kept version (not the served one) made the canary with `share`; a mark of an earlier rollback is cleared. */
export function startCanary(m: Manifest, version: string, share: number, now: number): Manifest {
  const versions = m.versions.map((x) => (x.version === version && x.rolledBackAt !== undefined ? withoutMark(x) : x));
  return { current: m.current, versions, canary: { version, share, startedAt: now } };
}

function withoutMark(v: ModelVersion): ModelVersion {
  const { rolledBackAt: _, ...rest } = v;
  return rest;
}

/** A site's canary policy with the defaults of limits.ts; a stored policy that no longer validates reads as the defaults. */
export function canaryPolicy(config: Pick<SiteConfig, "canary">): CanaryPolicy {
  const parsed = canaryPolicySchema.safeParse(config.canary ?? {});
  return parsed.success ? parsed.data : canaryPolicySchema.parse({});
}

/** The guardrail's thresholds under a policy. */
export function guardrailThresholds(p: CanaryPolicy): GuardrailThresholds {
  return { minImpressions: p.minImpressions, maxCtrDrop: p.maxCtrDrop, significance: p.significance, maxAgeMs: p.maxAgeHours * 3_600_000 };
}
