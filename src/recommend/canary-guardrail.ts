// The canary guardrail (issue 10 part 4): given the impressions and clicks of the canary model version and of the
// current one since the canary started, decides to promote it, roll it back, or wait. Pure; the job that loads the
// counts and applies the decision is src/models/canary-jobs.ts.
//
// The rule, in order:
//   1. Either arm below `minImpressions`: wait ("insufficient"), unless the canary is older than `maxAgeMs`: then
//      roll back ("expired"): a version never shown to be no worse is not promoted by default.
//   2. One-sided two-proportion z-test (pooled) of H1 "canary CTR < current CTR": p < `significance` rolls back
//      ("significantly_worse").
//   3. Otherwise the observed relative drop (current − canary) / current at most `maxCtrDrop` promotes
//      ("not_worse"); a larger drop that is not (yet) significant waits ("within_noise"), then expires as in 1.
// CTR is clicks / impressions (as /admin/metrics reports it); each impression is one Bernoulli trial, so clicks are
// capped at impressions for the test.
import { normalCdf } from "./stats";

export type ArmCounts = { impressions: number; clicks: number };

export type GuardrailThresholds = {
  minImpressions: number;
  /** Largest relative CTR drop accepted for promotion (0.05: the canary may be 5% below the current version). */
  maxCtrDrop: number;
  /** One-sided significance level of the "canary is worse" test. */
  significance: number;
  maxAgeMs: number;
};

export type GuardrailRule = "insufficient" | "expired" | "significantly_worse" | "not_worse" | "within_noise";

export type GuardrailDecision = {
  decision: "promote" | "rollback" | "none";
  rule: GuardrailRule;
  canary: ArmCounts & { ctr: number | null };
  current: ArmCounts & { ctr: number | null };
  /** (current − canary) / current; null when the current CTR is 0 or unknown. */
  relativeDrop: number | null;
  /** z of canary − current (negative: canary lower). Null below the minimum sample or with no variance. */
  z: number | null;
  /** One-sided p-value of "canary CTR < current CTR"; null below the minimum sample. */
  pValue: number | null;
  thresholds: GuardrailThresholds;
  ageMs: number;
};

const ctrOf = (a: ArmCounts): number | null => (a.impressions > 0 ? Math.min(a.clicks, a.impressions) / a.impressions : null);

/** The guardrail's decision for one canary: see the module header for the rule. */
export function decideCanary(canary: ArmCounts, current: ArmCounts, ageMs: number, t: GuardrailThresholds): GuardrailDecision {
  const base = {
    canary: { ...canary, ctr: ctrOf(canary) },
    current: { ...current, ctr: ctrOf(current) },
    thresholds: t,
    ageMs,
  };
  if (canary.impressions < t.minImpressions || current.impressions < t.minImpressions) {
    const expired = ageMs >= t.maxAgeMs;
    return { ...base, decision: expired ? "rollback" : "none", rule: expired ? "expired" : "insufficient", relativeDrop: null, z: null, pValue: null };
  }
  const test = twoProportionLess(Math.min(canary.clicks, canary.impressions), canary.impressions, Math.min(current.clicks, current.impressions), current.impressions);
  const pc = base.canary.ctr!;
  const p0 = base.current.ctr!;
  const relativeDrop = p0 > 0 ? (p0 - pc) / p0 : null;
  const common = { ...base, relativeDrop, z: test.z, pValue: test.pValue };
  if (test.pValue < t.significance) return { ...common, decision: "rollback", rule: "significantly_worse" };
  // A current CTR of 0 cannot drop: the canary is not worse.
  if ((relativeDrop ?? 0) <= t.maxCtrDrop) return { ...common, decision: "promote", rule: "not_worse" };
  if (ageMs >= t.maxAgeMs) return { ...common, decision: "rollback", rule: "expired" };
  return { ...common, decision: "none", rule: "within_noise" };
}

/**
 * One-sided pooled two-proportion z-test of H1: p1 < p2. With no variance (both CTRs 0, or both 1) the arms are
 * equal: z null and p 1.
 */
export function twoProportionLess(x1: number, n1: number, x2: number, n2: number): { z: number | null; pValue: number } {
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { z: null, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, pValue: normalCdf(z) };
}
