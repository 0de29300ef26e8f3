// The results view (src/recommend/experiment-results.ts): summing rollup rows per variant, the minimum-sample gate,
// the SRM gate, Bonferroni over treatments, and the winner rule.
import { describe, expect, it } from "vitest";
import { experimentResults, type ExperimentRollupRow } from "../../../src/recommend/experiment-results";
import type { Variant } from "../../../src/schemas/experiments";

const opts = { minImpressionsPerVariant: 1000, alpha: 0.05, srmAlpha: 0.001 };
const row = (variant: string, lists: number, impressions: number, clicks: number, extra: Partial<ExperimentRollupRow> = {}): ExperimentRollupRow => ({
  variant,
  visitors: lists,
  listsServed: lists,
  impressions,
  clicks,
  carts: 0,
  purchases: 0,
  revenue: 0,
  revenueSq: 0,
  ...extra,
});
const variants: Variant[] = [
  { name: "t", weight: 1, change: {} },
  { name: "c", weight: 1, change: { control: true } },
];

describe("experimentResults", () => {
  it("sums rows per variant (days, slots, versions) and ignores other labels; the control is change.control", () => {
    const r = experimentResults({ id: "x", config: { variants } }, [row("x:t", 10, 100, 5), row("x:t", 10, 100, 7), row("x:c", 20, 200, 4), row("y:t", 1, 1, 1)], opts);
    expect(r.control).toBe("c");
    expect(r.variants.map((v) => [v.name, v.impressions, v.clicks, v.visitors])).toEqual([
      ["t", 200, 12, 20],
      ["c", 200, 4, 20],
    ]);
    expect(r.verdict).toBe("insufficient_sample");
    expect(r.winner).toBeNull();
    expect(r.variants[0]!.vsControl!.ctr.significant).toBe(false);
  });

  it("calls a winner only with the sample, no SRM, and p below alpha split over treatments", () => {
    const big = [row("x:t", 5000, 20_000, 1400), row("x:c", 5000, 20_000, 1000)];
    expect(experimentResults({ id: "x", config: { variants } }, big, opts)).toMatchObject({ verdict: "winner", winner: "t", sampleSufficient: true });
    // Every treatment significantly worse: the control wins.
    const worse = [row("x:t", 5000, 20_000, 600), row("x:c", 5000, 20_000, 1000)];
    expect(experimentResults({ id: "x", config: { variants } }, worse, opts).winner).toBe("c");
    // A difference with p ≈ 0.03: significant for one treatment (alpha 0.05), not for two (0.025 each).
    const modest = [row("x:t", 5000, 20_000, 1095), row("x:c", 5000, 20_000, 1000)];
    const one = experimentResults({ id: "x", config: { variants } }, modest, opts);
    const p = one.variants[0]!.vsControl!.ctr.pValue;
    expect(p).toBeGreaterThan(0.025);
    expect(p).toBeLessThan(0.05);
    expect(one.winner).toBe("t");
    const three: Variant[] = [...variants, { name: "u", weight: 1, change: {} }];
    const two = experimentResults({ id: "x", config: { variants: three } }, [...modest, row("x:u", 5000, 20_000, 1000)], opts);
    expect(two.alphaPerComparison).toBe(0.025);
    expect(two).toMatchObject({ verdict: "no_significant_difference", winner: null });
    // A skewed split: no winner, whatever the difference.
    const skewed = [row("x:t", 5600, 20_000, 1400), row("x:c", 5000, 20_000, 1000)];
    expect(experimentResults({ id: "x", config: { variants } }, skewed, opts)).toMatchObject({ verdict: "sample_ratio_mismatch", winner: null });
  });

  it("revenue per impression uses the sum of squares for its interval", () => {
    // Treatment: 10 purchases of 50 in 1000 impressions: mean 0.5, sample variance (25000 − 1000·0.25)/999.
    const r = experimentResults({ id: "x", config: { variants } }, [row("x:t", 300, 1000, 50, { purchases: 10, revenue: 500, revenueSq: 25_000 }), row("x:c", 300, 1000, 50)], opts);
    const rpi = r.variants[0]!.revenuePerImpression;
    expect(rpi.value).toBe(0.5);
    expect(rpi.high - rpi.value).toBeCloseTo(1.959963984540054 * Math.sqrt((25_000 - 250) / 999 / 1000), 12);
    expect(r.variants[0]!.conversion.value).toBe(0.01);
    expect(r.variants[0]!.vsControl!.revenuePerImpression.lift).toBeNull(); // the control's revenue is 0
  });
});
