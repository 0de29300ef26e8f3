// The results view of one experiment (issue 10 part 5) from its rollup rows: per variant the counters and rates with
// 95% intervals, each treatment against the control, a sample-ratio-mismatch check, and a verdict that never names
// a winner before the minimum sample. Pure: GET /admin/experiments/:id/results and the dashboard both call it.
import { EXPERIMENT_ALPHA, EXPERIMENT_MIN_IMPRESSIONS_PER_VARIANT, EXPERIMENT_SRM_ALPHA } from "../config/limits";
import type { ExperimentConfig } from "../schemas/experiments";
import { variantLabel } from "./experiments";
import {
  meanAndSe,
  meanDifference,
  meanInterval,
  relativeLift,
  sampleRatioTest,
  twoProportionTest,
  wilsonInterval,
  type MeanSummary,
} from "./stats";

/** The rollup counters the view reads (src/storage/rollups-repo.ts MetricsRow has them all); `variant` is the label. */
export type ExperimentRollupRow = {
  variant: string;
  /** Distinct visitors first shown this variant in the row (summed over rows: the variant's visitors). */
  visitors: number;
  listsServed: number;
  impressions: number;
  clicks: number;
  carts: number;
  purchases: number;
  revenue: number;
  revenueSq: number;
};

export type ResultsOptions = {
  /** Impressions every variant needs before anything is called significant. */
  minImpressionsPerVariant: number;
  /** Two-sided level of each comparison, before the Bonferroni split over treatments. */
  alpha: number;
  /** The SRM check flags a split whose p-value is below this. */
  srmAlpha: number;
};

export const DEFAULT_RESULTS_OPTIONS: ResultsOptions = {
  minImpressionsPerVariant: EXPERIMENT_MIN_IMPRESSIONS_PER_VARIANT,
  alpha: EXPERIMENT_ALPHA,
  srmAlpha: EXPERIMENT_SRM_ALPHA,
};

export type Estimate = { value: number; low: number; high: number };

export type Comparison = {
  /** Treatment minus control, with its 95% interval. */
  difference: { estimate: number; low: number; high: number };
  /** Treatment / control − 1 (delta method); null when the control's rate is 0. */
  lift: { estimate: number; low: number; high: number } | null;
  pValue: number;
  /** p below the (Bonferroni-split) alpha, with the minimum sample reached and no SRM; never true otherwise. */
  significant: boolean;
};

/** A variant's summed counters (as the rollup rows hold them) with its rates and its comparison to the control. */
export type VariantResult = Omit<ExperimentRollupRow, "variant" | "revenueSq"> & {
  name: string;
  weight: number;
  /** weight / total weight: the configured share of traffic. */
  share: number;
  control: boolean;
  /** clicks per impression (Wilson interval). */
  ctr: Estimate;
  /** purchases per impression (Wilson interval). */
  conversion: Estimate;
  /** revenue per impression (normal interval from the sum of squared purchase revenues). */
  revenuePerImpression: Estimate;
  /** Against the control; null for the control itself. */
  vsControl: { ctr: Comparison; conversion: Comparison; revenuePerImpression: Comparison } | null;
};

export type Verdict = "insufficient_sample" | "sample_ratio_mismatch" | "no_significant_difference" | "winner";

export type ExperimentResults = {
  experiment: string;
  control: string;
  minImpressionsPerVariant: number;
  /** Every variant has at least the minimum impressions. */
  sampleSufficient: boolean;
  /** The level each treatment's comparison is held to: alpha / number of treatments. */
  alphaPerComparison: number;
  srm: {
    /** The assignment count checked: distinct visitors shown a list of the variant. */
    unit: "visitors";
    observed: Record<string, number>;
    expectedShares: Record<string, number>;
    chiSquare: number;
    df: number;
    pValue: number;
    threshold: number;
    /** p below the threshold: the split is broken; no winner is named. */
    mismatch: boolean;
  };
  variants: VariantResult[];
  verdict: Verdict;
  /** The variant significantly best on CTR (or the control, when every treatment is significantly worse); else null. */
  winner: string | null;
};

const rate = (x: number, n: number): Estimate => {
  const i = wilsonInterval(x, n);
  return { value: n > 0 ? Math.min(x, n) / n : 0, low: i.low, high: i.high };
};

function proportionComparison(x1: number, n1: number, x0: number, n0: number, gate: (p: number) => boolean): Comparison {
  const d = twoProportionTest(x1, n1, x0, n0);
  const p1 = n1 > 0 ? Math.min(x1, n1) / n1 : 0;
  const p0 = n0 > 0 ? Math.min(x0, n0) / n0 : 0;
  const se = (p: number, n: number) => (n > 0 ? Math.sqrt((p * (1 - p)) / n) : 0);
  const lift = relativeLift(p1, se(p1, n1), p0, se(p0, n0));
  return { difference: { estimate: d.estimate, low: d.low, high: d.high }, lift, pValue: d.pValue, significant: gate(d.pValue) };
}

function meanComparison(t: MeanSummary, c: MeanSummary, gate: (p: number) => boolean): Comparison {
  const d = meanDifference(t, c);
  const a = meanAndSe(t);
  const b = meanAndSe(c);
  const lift = relativeLift(a.mean, a.se, b.mean, b.se);
  return { difference: { estimate: d.estimate, low: d.low, high: d.high }, lift, pValue: d.pValue, significant: gate(d.pValue) };
}

/**
 * The results view of `experiment` from its rollup rows (any number per variant: days, slots, model versions are
 * summed; rows of other variants are ignored). The control is the variant with `change.control`, else the first.
 */
export function experimentResults(
  experiment: { id: string; config: Pick<ExperimentConfig, "variants"> },
  rows: readonly ExperimentRollupRow[],
  opts: ResultsOptions = DEFAULT_RESULTS_OPTIONS,
): ExperimentResults {
  const variants = experiment.config.variants;
  const control = variants.find((v) => v.change.control === true) ?? variants[0]!;
  const totals = new Map(variants.map((v) => [variantLabel(experiment.id, v.name), { visitors: 0, listsServed: 0, impressions: 0, clicks: 0, carts: 0, purchases: 0, revenue: 0, revenueSq: 0 }]));
  for (const r of rows) {
    const t = totals.get(r.variant);
    if (!t) continue;
    t.visitors += r.visitors;
    t.listsServed += r.listsServed;
    t.impressions += r.impressions;
    t.clicks += r.clicks;
    t.carts += r.carts;
    t.purchases += r.purchases;
    t.revenue += r.revenue;
    t.revenueSq += r.revenueSq;
  }
  const count = (name: string) => totals.get(variantLabel(experiment.id, name))!;
  const totalWeight = variants.reduce((s, v) => s + v.weight, 0);
  const sampleSufficient = variants.every((v) => count(v.name).impressions >= opts.minImpressionsPerVariant);
  const srmTest = sampleRatioTest(
    variants.map((v) => count(v.name).visitors),
    variants.map((v) => v.weight),
  );
  const mismatch = srmTest.pValue < opts.srmAlpha;
  const alphaPerComparison = opts.alpha / Math.max(1, variants.length - 1);
  const gate = (p: number) => sampleSufficient && !mismatch && p < alphaPerComparison;

  const c = count(control.name);
  const cRevenue: MeanSummary = { n: c.impressions, sum: c.revenue, sumSq: c.revenueSq };
  const results: VariantResult[] = variants.map((v) => {
    const { revenueSq, ...t } = count(v.name);
    const revenue: MeanSummary = { n: t.impressions, sum: t.revenue, sumSq: revenueSq };
    const rpi = meanInterval(revenue);
    const isControl = v.name === control.name;
    return {
      name: v.name,
      weight: v.weight,
      share: v.weight / totalWeight,
      control: isControl,
      ...t,
      ctr: rate(t.clicks, t.impressions),
      conversion: rate(t.purchases, t.impressions),
      revenuePerImpression: { value: rpi.mean, low: rpi.low, high: rpi.high },
      vsControl: isControl
        ? null
        : {
            ctr: proportionComparison(t.clicks, t.impressions, c.clicks, c.impressions, gate),
            conversion: proportionComparison(t.purchases, t.impressions, c.purchases, c.impressions, gate),
            revenuePerImpression: meanComparison(revenue, cRevenue, gate),
          },
    };
  });

  const treatments = results.filter((v) => v.vsControl !== null);
  const better = treatments.filter((v) => v.vsControl!.ctr.significant && v.vsControl!.ctr.difference.estimate > 0);
  const allWorse = treatments.length > 0 && treatments.every((v) => v.vsControl!.ctr.significant && v.vsControl!.ctr.difference.estimate < 0);
  const best = better.sort((a, b) => b.ctr.value - a.ctr.value)[0];
  const winner = best ? best.name : allWorse ? control.name : null;
  const verdict: Verdict = !sampleSufficient ? "insufficient_sample" : mismatch ? "sample_ratio_mismatch" : winner ? "winner" : "no_significant_difference";

  return {
    experiment: experiment.id,
    control: control.name,
    minImpressionsPerVariant: opts.minImpressionsPerVariant,
    sampleSufficient,
    alphaPerComparison,
    srm: {
      unit: "visitors",
      observed: Object.fromEntries(variants.map((v) => [v.name, count(v.name).visitors])),
      expectedShares: Object.fromEntries(variants.map((v) => [v.name, v.weight / totalWeight])),
      chiSquare: srmTest.chiSquare,
      df: srmTest.df,
      pValue: srmTest.pValue,
      threshold: opts.srmAlpha,
      mismatch,
    },
    variants: results,
    verdict,
    winner,
  };
}
