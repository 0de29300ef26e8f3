import { describe, expect, it } from "vitest";
import { SessionModelTrainer } from "../../../src/recommend/trainer";
import { modelLookup } from "../../../src/recommend/model-lookup";
import { scoreSession } from "../../../src/recommend/score-session";
import type { SessionModel } from "../../../src/recommend/types";

function train(sessions: string[][], build = {}): SessionModel {
  const t = new SessionModelTrainer({ build });
  for (const s of sessions) t.pushSession(s);
  return t.build();
}

const repeat = <T,>(n: number, xs: T[]): T[] => Array.from({ length: n }, () => xs).flat();

// A shop where a→b is the dominant transition, c and d are viewed together, and p is the most popular item.
const SHOP = [
  ...repeat(6, [["a", "b"]]),
  ["a", "e"],
  ...repeat(4, [["c", "d"], ["d", "c"]]),
  ...repeat(10, [["p", "q"]]),
  ["p", "r", "p"],
];

describe("session model: build", () => {
  const model = train(SHOP);
  const lists = modelLookup(model);

  it("puts the dominant successor first in the after list", () => {
    expect(lists("a")?.after[0].itemId).toBe("b");
    expect(lists("a")?.after.map((n) => n.itemId)).toEqual(["b", "e"]);
  });

  it("lists co-viewed items (and the item itself) in the with list, sorted by score", () => {
    const w = lists("c")?.with ?? [];
    expect(w.map((n) => n.itemId).sort()).toEqual(["c", "d"]);
    for (let i = 1; i < w.length; i++) expect(w[i - 1].score).toBeGreaterThanOrEqual(w[i].score);
  });

  it("keeps at most k neighbours per list", () => {
    const wide = train([["hub", ...Array.from({ length: 30 }, (_, i) => `n${i}`)]], { k: 5 });
    const l = modelLookup(wide)("hub");
    expect(l?.after.length).toBe(5);
    expect(l?.with.length).toBe(5);
  });

  it("ranks popularity by events", () => {
    expect(model.popular[0]).toEqual({ itemId: "p", score: 1 });
  });
});

describe("session model: scoreSession", () => {
  const model = train(SHOP);
  const lists = modelLookup(model);
  const score = (path: string[], k = 5) => scoreSession(path, lists, { k, popular: model.popular });

  it("ranks the known transition first, explained by the last item", () => {
    const r = score(["a"]);
    expect(r[0].itemId).toBe("b");
    expect(r[0].reason).toEqual({ kind: "after", itemId: "a" });
  });

  it("uses the whole path, not only the last item", () => {
    const lastOnly = score(["x-unknown", "c"]).map((r) => r.itemId);
    const withHistory = score(["a", "c"]).map((r) => r.itemId);
    expect(withHistory).toContain("b");
    expect(withHistory.indexOf("b")).toBeLessThan(lastOnly.includes("b") ? lastOnly.indexOf("b") : Infinity);
    const b = score(["a", "c"]).find((r) => r.itemId === "b");
    expect(b?.reason).toMatchObject({ itemId: "a" });
  });

  it("weights recent items more than old ones", () => {
    const r1 = score(["a", "c"]);
    const r2 = score(["c", "a"]);
    const at = (r: typeof r1, id: string) => r.findIndex((x) => x.itemId === id);
    expect(at(r2, "b")).toBeLessThan(at(r1, "b"));
    expect(at(r1, "d")).toBeLessThan(at(r2, "d"));
  });

  it("counts a repeated item once, at its latest position", () => {
    const a = score(["c", "a", "c"]);
    const b = score(["x-unknown", "a", "c"]);
    // a is one step back in both; c's older visit adds nothing.
    expect(a.map((r) => [r.itemId, r.score.toFixed(9)])).toEqual(b.map((r) => [r.itemId, r.score.toFixed(9)]));
  });

  it("recommends the current item again (repeat views are real)", () => {
    expect(score(["p"]).map((r) => r.itemId)).toContain("p");
  });

  it("weights an older path item's own entry by olderSelfWeight · expDecay · selfDecay^(d - 1)", () => {
    const ownScore = (path: string[], o: object) => scoreSession(path, lists, { k: 10, ...o }).find((r) => r.itemId === "c")?.score ?? 0;
    const selfEntry = lists("c")?.with.find((n) => n.itemId === "c")?.score ?? 0;
    // Path [c, a, x]: c is two steps back; only its own with-entry scores c (a's and x's lists do not hold c).
    const base = { expDecay: 0.5, olderSelfWeight: 1, selfDecay: 0.5 };
    expect(ownScore(["c", "a", "e"], base)).toBeCloseTo(selfEntry * 0.25, 9);
    expect(ownScore(["c", "a", "e"], { ...base, olderSelfWeight: 0.3, selfDecay: 0.9 })).toBeCloseTo(selfEntry * 0.3 * 0.5 * 0.9, 9);
    // The newest item's own entry keeps the list weight.
    expect(ownScore(["a", "c"], { ...base, olderSelfWeight: 0.1 })).toBeGreaterThanOrEqual(selfEntry);
  });

  it("ignores unknown items", () => {
    expect(score(["zz1", "a", "zz2"])).toEqual(score(["a"]));
  });

  it("back-fills from popularity when the path yields too little", () => {
    const r = score(["zz"], 3);
    expect(r.map((x) => x.itemId)).toEqual(model.popular.slice(0, 3).map((p) => p.itemId));
    expect(r.every((x) => x.reason.kind === "trending")).toBe(true);
    const thin = score(["a"], 6);
    expect(thin.length).toBe(6);
    expect(new Set(thin.map((x) => x.itemId)).size).toBe(6);
    expect(thin.at(-1)?.reason.kind).toBe("trending");
  });

  it("returns an empty list for an empty path without popularity", () => {
    expect(scoreSession([], lists, { k: 5 })).toEqual([]);
  });
});

describe("session model: incremental training", () => {
  it("builds the same lists from merged statistics as from one run", () => {
    const one = new SessionModelTrainer();
    for (const s of SHOP) one.pushSession(s);
    const a = new SessionModelTrainer();
    const b = new SessionModelTrainer();
    SHOP.forEach((s, i) => (i % 2 ? a : b).pushSession(s));
    a.mergeStats(b.stats());
    const la = modelLookup(a.build());
    const l1 = modelLookup(one.build());
    for (const id of ["a", "c", "p"]) {
      const round = (l: ReturnType<typeof la>) => ({
        after: l?.after.map((n) => [n.itemId, n.score.toFixed(9)]),
        with: l?.with.map((n) => [n.itemId, n.score.toFixed(9)]).sort(),
      });
      expect(round(la(id))).toEqual(round(l1(id)));
    }
  });

  it("lets a live session's steps change the lists", () => {
    const t = new SessionModelTrainer();
    for (const s of SHOP) t.pushSession(s);
    for (let i = 0; i < 10; i++) {
      t.pushStep([], "a");
      t.pushStep(["a"], "z");
    }
    expect(modelLookup(t.build())("a")?.after[0].itemId).toBe("z");
  });
});

describe("itemsToLookUp", () => {
  it("lists the distinct items of the scored window, newest first", async () => {
    const { itemsToLookUp } = await import("../../../src/recommend/score-session");
    expect(itemsToLookUp(["a", "b", "c", "b", "d"], { maxPath: 4 })).toEqual(["d", "b", "c"]);
  });
});
