// src/recommend/stats.ts against literature values. The expected figures were taken from SciPy 1.17.1
// (scipy.stats.norm, chi2.sf, binomtest(...).proportion_ci(method="wilson"), chisquare) and written in here as
// constants, so the test does not compare this code with itself.
import { describe, expect, it } from "vitest";
import {
  chiSquareSf,
  lnGamma,
  meanDifference,
  meanInterval,
  normalCdf,
  relativeLift,
  sampleRatioTest,
  twoProportionTest,
  twoSidedP,
  wilsonInterval,
  Z_95,
} from "../../../src/recommend/stats";

/** Relative closeness: the erfc fit is good to ~1.2e-7 relative. */
const close = (actual: number, expected: number, rel = 1e-6) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-12);

describe("normal distribution", () => {
  it("matches scipy.stats.norm", () => {
    close(normalCdf(Z_95), 0.975);
    close(normalCdf(-1), 0.15865525393145707);
    close(normalCdf(0.5), 0.6914624612740131);
    close(normalCdf(-3), 0.0013498980316300933);
    close(twoSidedP(2.5), 0.012419330651552265);
    close(twoSidedP(-4), 6.334248366623973e-5);
    expect(twoSidedP(0)).toBe(1);
  });
});

describe("chi-square survival function", () => {
  it("matches scipy.stats.chi2.sf, including the critical values of tables", () => {
    close(chiSquareSf(3.841458820694124, 1), 0.05);
    close(chiSquareSf(10.827566170662733, 1), 0.001);
    close(chiSquareSf(1, 1), 0.31731050786291115);
    close(chiSquareSf(5.991464547107979, 2), 0.05);
    close(chiSquareSf(16.26623619623813, 3), 0.001);
    close(chiSquareSf(20, 7), 0.005569683072945574);
    close(chiSquareSf(0.5, 3), 0.9188914116546758);
    close(chiSquareSf(2, 5), 0.8491450360846096);
    close(chiSquareSf(100, 10), 5.4497019829205215e-17, 1e-6);
    expect(chiSquareSf(0, 3)).toBe(1);
  });

  it("lnGamma matches math.lgamma", () => {
    close(lnGamma(10.5), 13.940625219403763, 1e-12);
    close(lnGamma(0.3), 1.0957979948180752, 1e-12);
  });
});

describe("wilsonInterval", () => {
  it("matches scipy's Wilson interval", () => {
    const a = wilsonInterval(81, 263);
    close(a.low, 0.2552885198782742);
    close(a.high, 0.36620957698280004);
    const b = wilsonInterval(0, 50);
    expect(b.low).toBe(0);
    close(b.high, 0.07134759913335872);
    const c = wilsonInterval(120, 4000);
    close(c.low, 0.025147812369685964);
    close(c.high, 0.035754064322633436);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe("twoProportionTest", () => {
  it("gives the pooled z-test's p-value and the unpooled Wald interval", () => {
    // pooled z = 2.5362554678985827 for 150/3000 against 110/3000; p = 0.01120449634342381 (scipy norm.sf).
    const d = twoProportionTest(150, 3000, 110, 3000);
    close(d.estimate, 40 / 3000, 1e-12);
    close(d.pValue, 0.01120449634342381);
    // Wald: se = sqrt(.05·.95/3000 + (11/300)(289/300)/3000)
    const se = Math.sqrt((0.05 * 0.95) / 3000 + ((110 / 3000) * (1 - 110 / 3000)) / 3000);
    close(d.low, 40 / 3000 - Z_95 * se, 1e-12);
    close(d.high, 40 / 3000 + Z_95 * se, 1e-12);
    expect(twoProportionTest(5, 100, 5, 100).pValue).toBe(1);
  });
});

describe("means", () => {
  it("computes the mean's normal interval and Welch's difference", () => {
    // Values 0,0,0,10,20 (n 5, sum 30, sum of squares 500): mean 6, sample variance (500 − 180)/4 = 80.
    const s = { n: 5, sum: 30, sumSq: 500 };
    const m = meanInterval(s);
    expect(m.mean).toBe(6);
    close(m.high - m.mean, Z_95 * Math.sqrt(80 / 5), 1e-12);
    const d = meanDifference(s, { n: 5, sum: 0, sumSq: 0 });
    close(d.pValue, twoSidedP(6 / 4), 1e-12);
    close(d.pValue, 0.13361440253771617); // scipy: 2 * norm.sf(1.5)
  });

  it("relativeLift is t/c − 1 with a delta-method interval, null against a zero control", () => {
    const l = relativeLift(0.06, 0.003, 0.05, 0.002)!;
    close(l.estimate, 0.2, 1e-12);
    close(l.high - l.estimate, Z_95 * Math.sqrt(0.003 ** 2 / 0.05 ** 2 + (0.06 ** 2 * 0.002 ** 2) / 0.05 ** 4), 1e-12);
    expect(relativeLift(0.06, 0.003, 0, 0)).toBeNull();
  });
});

describe("sampleRatioTest", () => {
  it("matches scipy.stats.chisquare", () => {
    const a = sampleRatioTest([5100, 4900], [1, 1]);
    close(a.chiSquare, 4, 1e-12);
    close(a.pValue, 0.04550026389635857);
    const b = sampleRatioTest([2600, 7400], [1, 3]);
    close(b.chiSquare, 5.333333333333333, 1e-12);
    close(b.pValue, 0.020921335337794035);
    const c = sampleRatioTest([5300, 4700], [50, 50]);
    close(c.pValue, 1.9731752900753933e-9);
    const d = sampleRatioTest([1000, 1100, 900], [1, 1, 1]);
    expect(d.df).toBe(2);
    close(d.pValue, 4.539992976248486e-5);
    expect(sampleRatioTest([0, 0], [1, 1]).pValue).toBe(1);
  });
});
