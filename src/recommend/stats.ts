// Frequentist statistics for experiment results (issue 10 part 5): the normal CDF, the chi-square survival
// function, Wilson intervals, the two-proportion z-test and a normal (Welch) test for means. Pure, no dependencies.

/** The two-sided 95% normal quantile, Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

/**
 * erfc(x) by the Chebyshev fit of Numerical Recipes (erfcc): fractional error below 1.2e-7 everywhere, which is
 * far finer than any p-value an experiment reports.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Φ(x), the standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Two-sided p-value of a standard normal statistic: 2·(1 − Φ(|z|)), computed from the upper tail (no cancellation). */
export function twoSidedP(z: number): number {
  if (!Number.isFinite(z)) return Number.isNaN(z) ? 1 : 0;
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Q(a, x) = Γ(a, x)/Γ(a), the regularized upper incomplete gamma function: the series for x < a + 1, else the
 * continued fraction (Lentz), as in Numerical Recipes' gammq.
 */
export function upperGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(lnPrefix) * h);
}

/** P(X ≥ x) for X chi-square with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  return upperGammaQ(df / 2, x / 2);
}

export type Interval = { low: number; high: number };

/** The Wilson score interval of `successes` out of `n` trials (0..1 when n is 0). Successes are clamped to n. */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = Math.min(successes, n) / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export type Difference = {
  /** Treatment minus control. */
  estimate: number;
  /** 95% interval of the difference. */
  low: number;
  high: number;
  /** Two-sided p-value of "no difference". */
  pValue: number;
};

/**
 * Two-proportion z-test of treatment (x1 of n1) against control (x0 of n0): the p-value uses the pooled proportion
 * (the test's null hypothesis), the interval the unpooled standard error (Wald), as statsmodels and R do.
 */
export function twoProportionTest(x1: number, n1: number, x0: number, n0: number, z: number = Z_95): Difference {
  if (n1 <= 0 || n0 <= 0) return { estimate: 0, low: -1, high: 1, pValue: 1 };
  const a = Math.min(x1, n1);
  const b = Math.min(x0, n0);
  const p1 = a / n1;
  const p0 = b / n0;
  const pooled = (a + b) / (n1 + n0);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  const d = p1 - p0;
  return { estimate: d, low: d - z * se, high: d + z * se, pValue: sePooled > 0 ? twoSidedP(d / sePooled) : d === 0 ? 1 : 0 };
}

/** A sample mean summarized by its count, sum and sum of squares. */
export type MeanSummary = { n: number; sum: number; sumSq: number };

/** The mean and its standard error (sample variance with n − 1; 0 for n < 2). */
export function meanAndSe(s: MeanSummary): { mean: number; se: number } {
  if (s.n <= 0) return { mean: 0, se: 0 };
  const mean = s.sum / s.n;
  const variance = s.n > 1 ? Math.max(0, (s.sumSq - s.n * mean * mean) / (s.n - 1)) : 0;
  return { mean, se: Math.sqrt(variance / s.n) };
}

/** The normal 95% interval of a mean. */
export function meanInterval(s: MeanSummary, z: number = Z_95): Interval & { mean: number } {
  const { mean, se } = meanAndSe(s);
  return { mean, low: mean - z * se, high: mean + z * se };
}

/** Welch's difference of two means with the normal approximation (large samples): interval and two-sided p. */
export function meanDifference(t: MeanSummary, c: MeanSummary, z: number = Z_95): Difference {
  const a = meanAndSe(t);
  const b = meanAndSe(c);
  const d = a.mean - b.mean;
  const se = Math.sqrt(a.se * a.se + b.se * b.se);
  return { estimate: d, low: d - z * se, high: d + z * se, pValue: se > 0 ? twoSidedP(d / se) : d === 0 ? 1 : 0 };
}

/**
 * Relative lift t/c − 1 of two estimates with standard errors, with the delta-method interval
 * Var(t/c) ≈ (t/c)²·(se_t²/t² + se_c²/c²). Null when the control estimate is 0.
 */
export function relativeLift(t: number, seT: number, c: number, seC: number, z: number = Z_95): (Interval & { estimate: number }) | null {
  if (c <= 0) return null;
  const ratio = t / c;
  const se = Math.sqrt((seT * seT) / (c * c) + (t * t * seC * seC) / (c * c * c * c));
  return { estimate: ratio - 1, low: ratio - 1 - z * se, high: ratio - 1 + z * se };
}

/**
 * Sample-ratio-mismatch check: Pearson's chi-square of observed counts against the shares of the configured
 * weights, with k − 1 degrees of freedom. p is 1 when there is nothing to test (no counts, or one arm).
 */
export function sampleRatioTest(observed: readonly number[], weights: readonly number[]): { chiSquare: number; df: number; pValue: number } {
  const total = observed.reduce((s, x) => s + x, 0);
  const wTotal = weights.reduce((s, x) => s + x, 0);
  const df = observed.length - 1;
  if (total <= 0 || df < 1 || wTotal <= 0) return { chiSquare: 0, df: Math.max(0, df), pValue: 1 };
  let chi = 0;
  observed.forEach((o, i) => {
    const expected = (total * weights[i]!) / wTotal;
    chi += ((o - expected) * (o - expected)) / expected;
  });
  return { chiSquare: chi, df, pValue: chiSquareSf(chi, df) };
}
