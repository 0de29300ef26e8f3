// The learned re-ranking stage (src/recommend/rerank.ts, src/models/train-rerank.ts): the fit finds a planted
// signal, no model (or an unusable one) keeps the blend's order, and the pipeline applies a model in place.
import { describe, expect, it } from "vitest";
import { feedRerank, RerankFitTrainer } from "../../../src/models/train-rerank";
import { rankCandidates, type PipelineRequest } from "../../../src/recommend/pipeline";
import { exampleRow, fitRerank, packExample, rerankFeatures, rerankOrder, rerankScore, RERANK_FEATURES, RERANK_INPUTS, usableModel, type RerankExample, type RerankModel } from "../../../src/recommend/rerank";
import { seededRandom } from "../../../src/recommend/random";
import type { ArtifactView } from "../../../src/recommend/sources/types";
import type { Neighbour } from "../../../src/recommend/types";

const F = RERANK_FEATURES.length;
const graphAt = RERANK_FEATURES.indexOf("graph");
const currentAt = RERANK_FEATURES.indexOf("current");

/** Prefixes of 10 candidates with random features; the next item is the one with the largest graph feature. */
function planted(count: number, seed: number): RerankExample[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const rows = Array.from({ length: 10 }, () => Float64Array.from({ length: F }, () => rand()));
    let target = 0;
    rows.forEach((x, i) => {
      if (x[graphAt]! > rows[target]![graphAt]!) target = i;
    });
    return packExample(rows, target);
  });
}

const rowsOf = (ex: RerankExample) => Array.from({ length: ex.n }, (_, r) => exampleRow(ex, r));

const n = (itemId: string, score: number): Neighbour => ({ itemId, score });
const session: Record<string, { after: Neighbour[]; with: Neighbour[] }> = {
  a: { after: [n("b", 1), n("c", 0.5), n("a", 0.2)], with: [n("a", 2), n("b", 0.4), n("c", 0.3)] },
  b: { after: [n("c", 1), n("a", 0.5)], with: [n("b", 1), n("a", 0.5)] },
};
const view: ArtifactView = { session: (id) => session[id], personal: () => undefined, trending: [n("t1", 1)] };
const request = (path: string[]): PipelineRequest => ({ ctx: { path, history: [], segment: null, now: 0 }, sessionPath: path, rules: { includeViewed: true }, k: 5, allowUncatalogued: true });
const model = (weights: (w: number[]) => void): RerankModel => {
  const w = new Array<number>(RERANK_INPUTS).fill(0);
  weights(w);
  return { features: [...RERANK_FEATURES], weights: w, pool: 20 };
};

describe("re-ranker", () => {
  it("learns a planted signal the blend's order does not have", () => {
    const m = fitRerank(planted(300, 1), 10);
    const test = planted(200, 2);
    const firstRight = test.filter((ex) => rerankOrder(rowsOf(ex), m)[0] === ex.target).length / test.length;
    const blendRight = test.filter((ex) => ex.target === 0).length / test.length;
    expect(firstRight).toBeGreaterThan(0.8);
    expect(blendRight).toBeLessThan(0.25);
    expect(usableModel(m)).toBe(m);
  });

  it("packs an example's rows into one array and reads them back in place", () => {
    const rows = [Float64Array.from({ length: F }, (_, j) => j), Float64Array.from({ length: F }, (_, j) => -j)];
    const ex = packExample(rows, 1);
    expect(ex.n).toBe(2);
    expect(ex.x.length).toBe(2 * F);
    expect([...exampleRow(ex, 1)]).toEqual([...rows[1]!]);
    const w = Array.from({ length: RERANK_INPUTS }, (_, i) => (i % 7) - 3);
    expect(rerankScore(w, ex.x, F)).toBe(rerankScore(w, rows[1]!));
  });

  it("keeps the blend's order without a model, with an unusable one, and with all-zero weights", () => {
    const path = ["b", "a"];
    const plain = rankCandidates(request(path), view).candidates;
    expect(plain.filter((c) => c.source !== "backfill").length).toBeGreaterThanOrEqual(3);
    const wrongFeatures: RerankModel = { features: ["x", ...RERANK_FEATURES.slice(1)], weights: new Array<number>(RERANK_INPUTS).fill(1), pool: 20 };
    const wrongLength: RerankModel = { features: [...RERANK_FEATURES], weights: [1], pool: 20 };
    expect(usableModel(wrongFeatures)).toBeNull();
    expect(usableModel(wrongLength)).toBeNull();
    expect(usableModel(JSON.parse('{"pool":20}') as RerankModel)).toBeNull();
    for (const rerank of [undefined, null, wrongFeatures, wrongLength, model(() => {})]) {
      expect(rankCandidates(request(path), { ...view, rerank }).candidates).toEqual(plain);
    }
  });

  it("puts the pipeline's top candidates in the model's order, keeping reasons and the blend's score slots", () => {
    const path = ["b", "a"];
    const plain = rankCandidates(request(path), view).candidates;
    // A model that only says "never the current item first" moves the newest path item below every other candidate.
    const ranked = rankCandidates(request(path), { ...view, rerank: model((w) => (w[currentAt] = -5)) }).candidates;
    const evidence = ranked.filter((c) => c.source !== "backfill");
    expect(evidence.at(-1)!.itemId).toBe("a");
    expect(evidence.slice(0, -1).map((c) => c.itemId)).toEqual(plain.filter((c) => c.source !== "backfill" && c.itemId !== "a").map((c) => c.itemId));
    expect(evidence.map((c) => c.score)).toEqual(plain.filter((c) => c.source !== "backfill").map((c) => c.score));
    for (const c of evidence) expect(c.reason).toEqual(plain.find((p) => p.itemId === c.itemId)!.reason);
  });

  it("describes candidates by where they sit in the path and what the lists say", () => {
    const [a, b, c, x] = rerankFeatures(["b", "a"], ["a", "b", "c", "x"], view);
    const f = (row: Float64Array, name: (typeof RERANK_FEATURES)[number]) => row[RERANK_FEATURES.indexOf(name)];
    expect(f(a!, "current")).toBe(1);
    expect(f(b!, "back1")).toBe(1);
    expect(f(a!, "repeat")).toBeCloseTo(0.2);
    expect(f(c!, "lastAfter")).toBeCloseTo(0.5);
    expect(f(c!, "support")).toBeCloseTo(Math.log(3));
    expect(Math.max(...[a, b, c].map((r) => f(r!, "session")!))).toBeCloseTo(1);
    expect(f(x!, "session")).toBe(0);
  });

  it("the retrain's fit holds out the newest runs from a head copy, and fits nothing without both", () => {
    const day = 86_400_000;
    const rows = (profile: string, items: string[], t0: number) => items.map((itemId, i) => ({ profileId: profile, itemId, type: "view" as const, ts: t0 + i * 1000 }));
    const history = [
      ...Array.from({ length: 40 }, (_, p) => rows(`p${p}`, p % 2 ? ["a", "b", "c", "a"] : ["b", "c", "a", "b"], p * 3600_000)).flat(),
      ...Array.from({ length: 20 }, (_, p) => rows(`q${p}`, ["a", "b", "c", "a"], 10 * day + p * 60_000)).flat(),
    ];
    const fit = feedRerank(new RerankFitTrainer(11 * day, [], { days: 1, minExamples: 50 }), [], () => history).fit();
    expect(fit).not.toBeNull();
    expect(fit!.prefixes).toBe(60);
    expect(fit!.fittedAt).toBe(11 * day);
    expect(usableModel(fit!.model)).not.toBeNull();
    const headOnly = feedRerank(new RerankFitTrainer(101 * day, [], { days: 1, minExamples: 50 }), [], () => rows("p", ["a", "b", "c"], 0));
    expect(headOnly.fit()).toBeNull();
    // Too few rows for its weights: no model.
    const small = new RerankFitTrainer(11 * day, [], { days: 1, minExamples: 1000 });
    expect(feedRerank(small, [], () => [...rows("p", ["a", "b", "c", "a"], 0), ...rows("q", ["a", "b", "c", "a"], 10 * day)]).fit()).toBeNull();
  });

  it("trains a head copy in two passes (session statistics, then families) and says when passes remain", () => {
    const day = 86_400_000;
    const history = ["a", "b", "c", "a"].map((itemId, i) => ({ profileId: "p", itemId, type: "view" as const, ts: i * 1000 }));
    history.push(...["a", "b", "c"].map((itemId, i) => ({ profileId: "q", itemId, type: "view" as const, ts: 10 * day + i * 1000 })));
    const trainer = new RerankFitTrainer(11 * day, [], { days: 1, minExamples: 1 });
    expect(() => trainer.examples()).toThrow(/passes remain/);
    const first = trainer.nextPass()!;
    expect(first.catalog).toBe(false);
    for (const r of history) first.pushHistory(r);
    const second = trainer.nextPass()!;
    expect(second.catalog).toBe(true);
    for (const r of history) second.pushHistory(r);
    expect(trainer.nextPass()).toBeNull();
    // The held-out run "a b c" gives two prefixes, each scored over a copy that learned a -> b -> c from p's run.
    expect(trainer.examples()!.prefixes).toBe(2);
    expect(trainer.examples()!.examples.length).toBeGreaterThan(0);
  });

  it("holds out each of the newest days from its own head copy", () => {
    const day = 86_400_000;
    const rows = (profile: string, items: string[], t0: number) => items.map((itemId, i) => ({ profileId: profile, itemId, type: "view" as const, ts: t0 + i * 1000 }));
    // Head runs, then 10 runs in the older window [9, 10) days and 20 in the newest [10, 11) days.
    const history = [
      ...Array.from({ length: 40 }, (_, p) => rows(`p${p}`, p % 2 ? ["a", "b", "c", "a"] : ["b", "c", "a", "b"], p * 3600_000)).flat(),
      ...Array.from({ length: 10 }, (_, p) => rows(`r${p}`, ["b", "a", "c", "b"], 9 * day + p * 60_000)).flat(),
      ...Array.from({ length: 20 }, (_, p) => rows(`q${p}`, ["a", "b", "c", "a"], 10 * day + p * 60_000)).flat(),
    ];
    const one = feedRerank(new RerankFitTrainer(11 * day, [], { days: 1, minExamples: 50 }), [], () => history);
    const two = feedRerank(new RerankFitTrainer(11 * day, [], { days: 2, minExamples: 50 }), [], () => history);
    // One window: the newest day's 20 runs (3 prefixes each); the older window's runs train its head copy.
    expect(one.examples()!.prefixes).toBe(60);
    // Two: the older window is scored too, over a copy trained without it, and counted once.
    expect(two.examples()!.prefixes).toBe(90);
    expect(two.fit()!.prefixes).toBe(90);
  });
});
