import { describe, expect, it } from "vitest";
import { vsknn } from "../../../scripts/eval/vsknn";
import type { Session } from "../../../scripts/eval/sessions";

const sess = (id: string, items: string[], t0: number): Session => ({ id, items, times: items.map((_, i) => t0 + i) });

describe("V-SKNN baseline", () => {
  const train = [sess("0", ["a", "b", "c"], 0), sess("1", ["a", "d"], 10), sess("2", ["x", "y", "x"], 20)];

  it("weights path items linearly by position and neighbours by how recently they matched", () => {
    // path [b, d]: weights b 0.9, d 1. Neighbours: session 1 (sim 1, match at the newest step, decay 1) and
    // session 0 (sim 0.9, match one step back, decay 1/2). Scores: a 1 + 0.45, d 1, b 0.45, c 0.45; then popularity.
    const rec = vsknn({ idfWeight: 0 }).train(train);
    expect(rec.recommend(["b", "d"], 6)).toEqual(["a", "d", "b", "c", "x", "y"]);
    expect(rec.recommend(["b", "d"], 2)).toEqual(["a", "d"]);
  });

  it("samples only the most recent candidate sessions", () => {
    // With one candidate, only session 1 (later than session 0) is a neighbour: b and c are not scored.
    const rec = vsknn({ idfWeight: 0, sampleSize: 1 }).train(train);
    expect(rec.recommend(["a"], 2)).toEqual(["a", "d"]);
    expect(vsknn({ idfWeight: 0 }).train(train).recommend(["a"], 4)).toEqual(["a", "b", "c", "d"]);
  });

  it("idf lifts rare items over common ones at equal similarity", () => {
    const more = [...train, sess("3", ["c", "y"], 30), sess("4", ["c", "x"], 40)];
    // From [a]: b and c both get one neighbour's score, but c is in three sessions and b in one.
    const ranked = vsknn({ idfWeight: 1 }).train(more).recommend(["a"], 4);
    expect(ranked.indexOf("b")).toBeLessThan(ranked.indexOf("c"));
  });
});
