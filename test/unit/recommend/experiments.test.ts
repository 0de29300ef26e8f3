// Experiment assignment (src/recommend/experiments.ts): deterministic, weighted, independent between experiments.
import { describe, expect, it } from "vitest";
import { applyChange, assignVariant, experimentForSlot } from "../../../src/recommend/experiments";
import { sampleRatioTest } from "../../../src/recommend/stats";
import type { Variant } from "../../../src/schemas/experiments";

const v = (name: string, weight: number, change: Variant["change"] = {}): Variant => ({ name, weight, change });

describe("assignVariant", () => {
  it("is deterministic and follows the weights over 10k ids (within a chi-square SRM tolerance)", () => {
    const variants = [v("a", 1), v("b", 3)];
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) counts[assignVariant("exp1", variants, `anon-${i}`).name as "a" | "b"]++;
    const chi = (counts.a - 2500) ** 2 / 2500 + (counts.b - 7500) ** 2 / 7500;
    expect(chi).toBeLessThan(10.83); // p > 0.001 at 1 degree of freedom
    expect(assignVariant("exp1", variants, "anon-7").name).toBe(assignVariant("exp1", variants, "anon-7").name);
  });

  it("is independent between experiments and gives the control to a visitor without a key", () => {
    const variants = [v("a", 1), v("b", 1)];
    let same = 0;
    for (let i = 0; i < 10_000; i++) if (assignVariant("x", variants, `id-${i}`).name === assignVariant("y", variants, `id-${i}`).name) same++;
    expect(Math.abs(same - 5000)).toBeLessThan(300);
    expect(assignVariant("x", [v("t", 1), v("c", 1, { control: true })], null).name).toBe("c");
    expect(assignVariant("x", variants, null).name).toBe("a");
  });
});

describe("assignment against the SRM check", () => {
  it("10k ids pass the results' SRM check for several splits; a broken assignment fails it", () => {
    for (const weights of [[1, 1], [1, 3], [50, 30, 20]]) {
      const variants = weights.map((w, i) => v(`v${i}`, w));
      const counts = weights.map(() => 0);
      for (let i = 0; i < 10_000; i++) counts[variants.findIndex((x) => x.name === assignVariant("srm", variants, `visitor-${i}`).name)]!++;
      expect(sampleRatioTest(counts, weights).pValue, JSON.stringify(counts)).toBeGreaterThan(0.001);
      // Deterministic: the same ids again give the same counts.
      const again = weights.map(() => 0);
      for (let i = 0; i < 10_000; i++) again[variants.findIndex((x) => x.name === assignVariant("srm", variants, `visitor-${i}`).name)]!++;
      expect(again).toEqual(counts);
    }
    // Dropping a tenth of one arm's visitors (e.g. a variant that fails to render) is flagged.
    const variants = [v("a", 1), v("b", 1)];
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) {
      const arm = assignVariant("srm", variants, `visitor-${i}`).name === "a" ? 0 : 1;
      if (arm === 1 && i % 10 === 0) continue;
      counts[arm]!++;
    }
    expect(sampleRatioTest(counts, [1, 1]).pValue).toBeLessThan(0.001);
  });
});

describe("experimentForSlot and applyChange", () => {
  it("picks the oldest running experiment covering the slot and merges the change", () => {
    const config = { slots: ["home"], variants: [v("a", 1), v("b", 1)] };
    const running = [
      { id: "new", config, startedAt: 2 },
      { id: "old", config, startedAt: 1 },
      { id: "other", config: { ...config, slots: ["pdp"] }, startedAt: 0 },
    ];
    expect(experimentForSlot(running, "home")?.id).toBe("old");
    expect(experimentForSlot(running, "cart")).toBeNull();
    const base = { weights: { trending: 1 }, rules: { excludeViewed: true } };
    expect(applyChange(base, { weights: { item_cf: 2 } as Variant["change"]["weights"], rules: { diversity: 0.5 } })).toEqual({
      weights: { trending: 1, item_cf: 2 },
      rules: { excludeViewed: true, diversity: 0.5 },
      sources: undefined,
      modelVersion: undefined,
    });
    expect(applyChange(base, { control: true }).sources).toEqual(["trending"]);
  });
});
