// The canary guardrail (src/recommend/canary-guardrail.ts): waits below the minimum sample, rolls back a
// significantly worse canary, promotes one within the tolerated drop, expires an undecided one.
import { describe, expect, it } from "vitest";
import { decideCanary, twoProportionLess, type GuardrailThresholds } from "../../../src/recommend/canary-guardrail";
import { normalCdf } from "../../../src/recommend/stats";

const T: GuardrailThresholds = { minImpressions: 1000, maxCtrDrop: 0.05, significance: 0.05, maxAgeMs: 48 * 3_600_000 };
const HOUR = 3_600_000;

describe("normalCdf (stats.ts, the guardrail's one-sided test)", () => {
  it("matches tabulated values", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
    expect(normalCdf(6)).toBeCloseTo(1, 8);
  });
});

describe("twoProportionLess", () => {
  it("gives a small p when the first proportion is clearly lower, a large one when higher", () => {
    // 4% vs 6% on 5000 each: z about -4.6.
    const low = twoProportionLess(200, 5000, 300, 5000);
    expect(low.z!).toBeCloseTo(-4.59, 1);
    expect(low.pValue).toBeLessThan(1e-4);
    expect(twoProportionLess(300, 5000, 200, 5000).pValue).toBeGreaterThan(0.999);
  });

  it("has no variance when both are 0", () => {
    expect(twoProportionLess(0, 100, 0, 100)).toEqual({ z: null, pValue: 1 });
  });
});

describe("decideCanary", () => {
  it("does nothing below the minimum impressions on either arm, however different the CTRs", () => {
    const d = decideCanary({ impressions: 999, clicks: 0 }, { impressions: 50_000, clicks: 5000 }, HOUR, T);
    expect(d).toMatchObject({ decision: "none", rule: "insufficient", pValue: null });
    expect(decideCanary({ impressions: 5000, clicks: 500 }, { impressions: 10, clicks: 1 }, HOUR, T).decision).toBe("none");
  });

  it("rolls back a significantly worse canary", () => {
    const d = decideCanary({ impressions: 2000, clicks: 40 }, { impressions: 20_000, clicks: 1000 }, HOUR, T);
    expect(d.decision).toBe("rollback");
    expect(d.rule).toBe("significantly_worse");
    expect(d.pValue!).toBeLessThan(0.05);
    expect(d.canary.ctr).toBeCloseTo(0.02);
    expect(d.current.ctr).toBeCloseTo(0.05);
    expect(d.relativeDrop!).toBeCloseTo(0.6);
  });

  it("promotes a canary that is as good or better", () => {
    const same = decideCanary({ impressions: 2000, clicks: 100 }, { impressions: 20_000, clicks: 1000 }, HOUR, T);
    expect(same).toMatchObject({ decision: "promote", rule: "not_worse" });
    const better = decideCanary({ impressions: 2000, clicks: 140 }, { impressions: 20_000, clicks: 1000 }, HOUR, T);
    expect(better.decision).toBe("promote");
    expect(better.relativeDrop!).toBeLessThan(0);
  });

  it("waits on a drop beyond the tolerance that is not significant, and rolls it back once expired", () => {
    // 4.6% vs 5%: an 8% relative drop, p about 0.2 on these samples.
    const args = [{ impressions: 2000, clicks: 92 }, { impressions: 4000, clicks: 200 }] as const;
    const d = decideCanary(...args, HOUR, T);
    expect(d).toMatchObject({ decision: "none", rule: "within_noise" });
    expect(d.pValue!).toBeGreaterThan(0.05);
    expect(decideCanary(...args, T.maxAgeMs, T)).toMatchObject({ decision: "rollback", rule: "expired" });
  });

  it("rolls back a canary that never reached the minimum before it expired", () => {
    expect(decideCanary({ impressions: 10, clicks: 1 }, { impressions: 10, clicks: 1 }, T.maxAgeMs + 1, T)).toMatchObject({ decision: "rollback", rule: "expired" });
  });

  it("caps clicks at impressions (a Bernoulli trial per impression)", () => {
    const d = decideCanary({ impressions: 1000, clicks: 1500 }, { impressions: 1000, clicks: 100 }, HOUR, T);
    expect(d.canary.ctr).toBe(1);
    expect(d.decision).toBe("promote");
  });
});
