import { describe, expect, it } from "vitest";
import { graphAlgorithms, GRAPH_WEIGHT_GRID, tuneGraphWeight } from "../../../scripts/eval/graph-rows";
import { HEADLINE } from "../../../scripts/eval/model-rows";
import { sessionModel } from "../../../scripts/eval/algorithms";
import { runSessionProtocol, SESSION_PROTOCOLS } from "../../../scripts/eval/protocol-sessions";
import type { Session } from "../../../scripts/eval/sessions";
import { seededRandom } from "../../../src/recommend/random";

const DAY = 86_400;
const SMALL = { dim: 8, walksPerNode: 2, walkLength: 8, epochs: 1, k: 10 };

/** Sessions spread over three days, items from a few overlapping ranges. */
function generate(n: number): Session[] {
  const rnd = seededRandom(3);
  return Array.from({ length: n }, (_, s) => {
    const base = Math.floor(rnd() * 20);
    const len = 2 + Math.floor(rnd() * 5);
    const items = Array.from({ length: len }, () => `i${base + Math.floor(rnd() * 6)}`);
    return { id: `s${s}`, items, times: items.map((_, t) => Math.floor((s / n) * 3 * DAY) + t) };
  });
}

describe("graph eval rows", () => {
  const train = generate(300);
  const test = generate(60).map((s, i) => ({ ...s, id: `t${i}` }));

  it("the blend with weight 0 ranks exactly like the session model through the codec", () => {
    const { blended } = graphAlgorithms([0], { embedding: SMALL });
    const a = blended[0].train(train);
    const b = sessionModel(HEADLINE).train(train);
    for (const s of test) for (let t = 1; t < s.items.length; t++) expect(a.recommend(s.items.slice(0, t), 20)).toEqual(b.recommend(s.items.slice(0, t), 20));
  });

  it("reports graph rows under both protocols with the lists' cost", () => {
    const { alone, blended } = graphAlgorithms([0.1], { embedding: SMALL });
    const rows = runSessionProtocol([alone, ...blended], train, test, { protocols: SESSION_PROTOCOLS });
    expect(rows.map((r) => r.protocol)).toEqual(["standard", "standard", "new-items", "new-items"]);
    expect(Number(rows[0].notes?.graphBytesPerItem)).toBeGreaterThan(0);
    expect(rows[0].trainSeconds).toBeGreaterThan(0);
  });

  it("tunes the weight on train's last day only, choosing from the grid", () => {
    const asked: number[] = [];
    const { weight, table } = tuneGraphWeight(train, { embedding: SMALL, log: () => asked.push(1) });
    expect(GRAPH_WEIGHT_GRID).toContain(weight);
    expect(table).toHaveLength(GRAPH_WEIGHT_GRID.length);
  });
});
