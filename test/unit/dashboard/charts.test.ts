// The dashboard's chart geometry and interval: scales, nice ticks, UTC time ticks, labels, paths and Wilson bounds.
import { describe, expect, it } from "vitest";
import { bandPath, BarChart, LineChart, linePath, ScatterChart } from "../../../src/dashboard/charts/charts";
import { DAY_MS, formatCount, formatPercent, HOUR_MS, linearScale, niceStep, niceTicks, timeLabel, timeTicks } from "../../../src/dashboard/charts/scale";
import { scatterPoints } from "../../../src/dashboard/data/projection";
import { wilson } from "../../../src/dashboard/data/stats";

describe("linearScale", () => {
  it("maps the domain onto the range, inverted ranges included", () => {
    const y = linearScale([0, 10], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(150);
  });
  it("maps a zero-width domain to the middle", () => {
    expect(linearScale([5, 5], [0, 100])(5)).toBe(50);
  });
});

describe("niceTicks", () => {
  it("widens to multiples of 1, 2 or 5 × 10^k", () => {
    expect(niceStep(100, 5)).toBe(20);
    expect(niceStep(0.07, 5)).toBe(0.02);
    expect(niceTicks(0, 87)).toEqual({ min: 0, max: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceTicks(0, 0.034).ticks).toEqual([0, 0.01, 0.02, 0.03, 0.04]);
    expect(niceTicks(3, 1234).ticks).toEqual([0, 500, 1000, 1500]);
  });
  it("prints decimals without float noise", () => {
    for (const t of niceTicks(0, 0.7).ticks) expect(String(t)).toMatch(/^\d(\.\d)?$/);
  });
  it("gives an empty or flat domain two or more ticks starting at zero", () => {
    expect(niceTicks(0, 0).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(7, 7).ticks[0]).toBe(0);
    expect(niceTicks(7, 7).max).toBeGreaterThanOrEqual(7);
    expect(niceTicks(Number.NaN, 3).ticks.length).toBeGreaterThan(1);
  });
});

describe("timeTicks and labels", () => {
  const from = Date.UTC(2026, 11, 1, 0);
  it("puts at most `count` ticks on UTC hour or day boundaries", () => {
    const two = timeTicks(from, from + 47 * HOUR_MS, 7);
    expect(two.step).toBe(12 * HOUR_MS);
    expect(two.ticks.length).toBeLessThanOrEqual(7);
    expect(two.ticks.every((t) => t % two.step === 0)).toBe(true);
    const fortnight = timeTicks(from, from + 13 * DAY_MS, 7);
    expect(fortnight.step).toBe(2 * DAY_MS);
    expect(fortnight.ticks[0]).toBe(from);
  });
  it("labels hours with the date at midnight, days by date", () => {
    expect(timeLabel(from, HOUR_MS)).toBe("Dec 1 00:00");
    expect(timeLabel(from + 14 * HOUR_MS, HOUR_MS)).toBe("14:00");
    expect(timeLabel(from + DAY_MS, DAY_MS)).toBe("Dec 2");
  });
  it("formats counts and percentages compactly", () => {
    expect(formatCount(950)).toBe("950");
    expect(formatCount(1234)).toBe("1.23k");
    expect(formatCount(45_600)).toBe("45.6k");
    expect(formatCount(2_000_000)).toBe("2M");
    expect(formatPercent(0.125)).toBe("13%");
    expect(formatPercent(0.034)).toBe("3.4%");
    expect(formatPercent(0.0025)).toBe("0.25%");
  });
});

describe("paths", () => {
  const x = (v: number) => v * 10;
  const y = (v: number) => 100 - v;
  it("breaks a line at missing values", () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 4 }], x, y)).toBe("M0.0 99.0L10.0 98.0M30.0 96.0");
  });
  it("closes a band per run of points with bounds", () => {
    const d = bandPath([{ x: 0, y: 5, lo: 4, hi: 6 }, { x: 1, y: 5, lo: 3, hi: 7 }, { x: 2, y: null }], x, y);
    expect(d).toBe("M0.0 94.0L10.0 93.0L10.0 97.0L0.0 96.0Z");
  });
});

describe("chart components", () => {
  it("draws a line chart with a dot per point, bands, axes and a legend", () => {
    const from = Date.UTC(2026, 11, 1);
    const svg = String(
      LineChart({
        title: "CTR",
        from,
        to: from + 2 * DAY_MS,
        step: DAY_MS,
        series: [
          { name: "a", points: [0, 1, 2].map((i) => ({ x: from + i * DAY_MS, y: 0.1, lo: 0.05, hi: 0.2 })) },
          { name: "b", points: [{ x: from, y: 0.3 }] },
        ],
        yFormat: formatPercent,
      }),
    );
    expect(svg.match(/<circle class="pt"/g)).toHaveLength(4);
    expect(svg).toContain('class="band" d="M');
    expect(svg).toContain(">Dec 1<");
    expect(svg).toContain(">a<");
    expect(svg).toContain(">30%<");
  });
  it("draws bars and scatter dots, and says so when there is no data", () => {
    expect(String(BarChart({ title: "t", categories: ["x", "y"], series: [{ name: "n", values: [1, 3] }] })).match(/<rect class="bar"/g)).toHaveLength(2);
    expect(String(ScatterChart({ title: "s", points: [{ x: 0, y: 1, group: 0 }, { x: 2, y: -1, group: 1 }], groups: ["#0", "#1"] })).match(/<circle class="pt"/g)).toHaveLength(2);
    expect(String(LineChart({ title: "e", from: 0, to: 1, series: [] }))).toContain("No data in this period");
  });
});

describe("wilson", () => {
  it("matches the textbook interval and stays inside [0, 1]", () => {
    // 10 of 100: Wilson 95% is [0.0552, 0.1744].
    const w = wilson(10, 100)!;
    expect(w.rate).toBe(0.1);
    expect(w.lo).toBeCloseTo(0.0552, 4);
    expect(w.hi).toBeCloseTo(0.1744, 4);
    expect(wilson(0, 20)!.lo).toBe(0);
    expect(wilson(0, 20)!.hi).toBeCloseTo(0.1611, 4);
    expect(wilson(20, 20)!.hi).toBe(1);
    expect(wilson(0, 0)).toBeNull();
  });
});

describe("scatterPoints", () => {
  const proj = (points: { x: number; y: number; segment: number }[]) => ({ points, centroids: [], explained: [0.5, 0.2] as [number, number] });
  it("maps segment ids to series indexes and drops points of unknown segments", () => {
    expect(scatterPoints(proj([{ x: 1, y: 2, segment: 7 }, { x: 3, y: 4, segment: 0 }, { x: 5, y: 6, segment: 9 }]), [0, 7])).toEqual([
      { x: 1, y: 2, group: 1 },
      { x: 3, y: 4, group: 0 },
    ]);
  });
  it("samples a large projection evenly", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: i, segment: 1 }));
    const got = scatterPoints(proj(many), [1]);
    expect(got.length).toBe(2000);
    expect(got[1]!.x).toBe(5);
  });
});
