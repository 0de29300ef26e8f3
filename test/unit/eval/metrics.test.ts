import { describe, expect, it } from "vitest";
import { RankingMetrics } from "../../../scripts/eval/metrics";

describe("RankingMetrics", () => {
  it("matches a hand-computed case", () => {
    const m = new RankingMetrics([3, 1]);
    m.add(["a", "b", "c", "d"], "a"); // rank 1
    m.add(["b", "c", "a"], "a"); // rank 3
    m.add(["d", "e", "f", "a"], "a"); // rank 4: outside both cut-offs
    m.add([], "a"); // nothing ranked
    const [at3, at1] = m.result();
    expect(m.predictions).toBe(4);
    expect(at3.hr).toBeCloseTo(2 / 4, 12);
    expect(at3.mrr).toBeCloseTo((1 + 1 / 3) / 4, 12);
    expect(at3.ndcg).toBeCloseTo((1 + 1 / 2) / 4, 12); // 1/log2(2) + 1/log2(4)
    expect(at3.coverage).toBe(6); // a b c d | b c a | d e f
    expect(at1.hr).toBeCloseTo(1 / 4, 12);
    expect(at1.mrr).toBeCloseTo(1 / 4, 12);
    expect(at1.ndcg).toBeCloseTo(1 / 4, 12);
    expect(at1.coverage).toBe(3); // a, b, d
  });

  it("reports zeros, not NaN, with no predictions", () => {
    expect(new RankingMetrics([20]).result()[0]).toEqual({ k: 20, hr: 0, mrr: 0, ndcg: 0, coverage: 0 });
  });
});
