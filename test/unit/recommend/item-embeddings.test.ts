import { describe, expect, it } from "vitest";
import { addGraphCandidates, scoreGraph } from "../../../src/recommend/graph-source";
import { cosineNeighbours, ItemGraphAccumulator, trainGraphLists, walksPerNodeFor, type GraphLists } from "../../../src/recommend/item-embeddings";
import { seededRandom } from "../../../src/recommend/random";
import type { Neighbour } from "../../../src/recommend/types";

/** Random sessions inside one of two disjoint cliques of items (a0..a7, b0..b7): no session crosses them. */
function twoCliques(n: number, seed = 7): string[][] {
  const rand = seededRandom(seed);
  const out: string[][] = [];
  for (let s = 0; s < n; s++) {
    const clique = s % 2 === 0 ? "a" : "b";
    const len = 2 + Math.floor(rand() * 5);
    out.push(Array.from({ length: len }, () => `${clique}${Math.floor(rand() * 8)}`));
  }
  return out;
}

// Context scores start from zero context vectors, so they need more passes than cosine to separate the cliques
// (at 5 walks × 2 epochs every context score is still ≈ 0.2); this is still only ~13k walk steps.
const SMALL = { dim: 16, walksPerNode: 20, walkLength: 10, epochs: 4, k: 5 };

function neighboursOf(g: GraphLists, id: string): Neighbour[] {
  const i = g.items.indexOf(id);
  const out: Neighbour[] = [];
  for (let e = g.lists.offsets[i]; e < g.lists.offsets[i + 1]; e++) out.push({ itemId: g.items[g.lists.neighbours[e]], score: g.lists.scores[e] });
  return out;
}

describe("item transition graph", () => {
  it("adds undirected transition weights once per edge and skips repeats of the same item", () => {
    const g = new ItemGraphAccumulator();
    g.pushSession(["x", "y", "y", "x", "z"]);
    const [x, y, z] = ["x", "y", "z"].map((id) => g.vocab.get(id)!);
    expect(g.edges.get(Math.min(x, y), Math.max(x, y))).toBe(2); // x→y and y→x
    expect(g.edges.get(Math.min(x, z), Math.max(x, z))).toBe(1);
    expect(g.edges.get(Math.min(y, z), Math.max(y, z))).toBe(0);
    expect(g.edges.size).toBe(2);
  });

  it("counts transitions up to edgeSteps apart with weight 1/distance", () => {
    const g = new ItemGraphAccumulator(2);
    g.pushSession(["x", "y", "z"]);
    const [x, z] = [g.vocab.get("x")!, g.vocab.get("z")!];
    expect(g.edges.get(Math.min(x, z), Math.max(x, z))).toBe(0.5);
  });
});

describe("random-walk embeddings", () => {
  const g = trainGraphLists(twoCliques(400), SMALL);

  it("keeps every item's neighbours inside its own clique", () => {
    for (const id of g.items) {
      const ns = neighboursOf(g, id);
      expect(ns.length).toBeGreaterThan(0);
      for (const n of ns) expect(n.itemId[0]).toBe(id[0]);
    }
  });

  it("lists positive scores best first, at most k, never the item itself", () => {
    for (const id of g.items) {
      const ns = neighboursOf(g, id);
      expect(ns.length).toBeLessThanOrEqual(SMALL.k);
      expect(ns.map((n) => n.itemId)).not.toContain(id);
      for (let i = 1; i < ns.length; i++) expect(ns[i - 1].score).toBeGreaterThanOrEqual(ns[i].score);
      for (const n of ns) expect(n.score).toBeGreaterThan(0);
      for (const n of ns) expect(n.score).toBeLessThanOrEqual(1.000001);
    }
  });

  it("is reproducible for a seed and differs for another", () => {
    const again = trainGraphLists(twoCliques(400), SMALL);
    expect(Array.from(again.lists.scores)).toEqual(Array.from(g.lists.scores));
    const other = trainGraphLists(twoCliques(400), { ...SMALL, seed: 2 });
    expect(Array.from(other.lists.scores)).not.toEqual(Array.from(g.lists.scores));
  });

  it("cosine lists keep the cliques apart too", () => {
    const cos = trainGraphLists(twoCliques(400), { ...SMALL, similarity: "cosine" });
    for (const id of cos.items) for (const n of neighboursOf(cos, id)) expect(n.itemId[0]).toBe(id[0]);
  });

  it("DeepWalk walks (p = q = 1) keep the cliques apart too", () => {
    const n2v = trainGraphLists(twoCliques(400), { ...SMALL, p: 1, q: 1 });
    for (const id of n2v.items) for (const n of neighboursOf(n2v, id)) expect(n.itemId[0]).toBe(id[0]);
  });

  it("trains on no sessions, or sessions without transitions, to empty lists", () => {
    expect(trainGraphLists([], SMALL).lists.neighbours.length).toBe(0);
    const lone = trainGraphLists([["x"], ["y", "y"]], SMALL);
    expect(lone.items).toEqual(["x", "y"]);
    expect(Array.from(lone.lists.offsets)).toEqual([0, 0, 0]);
  });

  it("never lists an item without edges, nor gives it a list", () => {
    for (const similarity of ["context", "cosine"] as const) {
      const g = trainGraphLists([...twoCliques(200), ["lonely"], ["lonely", "lonely"]], { ...SMALL, similarity });
      expect(neighboursOf(g, "lonely")).toEqual([]);
      for (const id of g.items) expect(neighboursOf(g, id).map((n) => n.itemId)).not.toContain("lonely");
    }
  });

  it("puts a chain's direct neighbours above far items", () => {
    // A line graph c0-c1-…-c9: c5's closest items by embedding are c4 and c6 (or at least within two hops).
    const chain = Array.from({ length: 300 }, (_, s) => [`c${s % 9}`, `c${(s % 9) + 1}`]);
    const lists = trainGraphLists(chain, { ...SMALL, k: 2, epochs: 4 });
    const top = neighboursOf(lists, "c5").map((n) => Number(n.itemId.slice(1)));
    for (const t of top) expect(Math.abs(t - 5)).toBeLessThanOrEqual(2);
  });
});

describe("cosine neighbours", () => {
  it("are exact on hand-made vectors", () => {
    // Items 0 and 1 point the same way, 2 is orthogonal, 3 is opposite to 0.
    const v = new Float32Array([1, 0, 2, 0.1, 0, 1, -1, 0]);
    const p = cosineNeighbours(v, 4, 2, 3);
    const row = (a: number) => Array.from(p.neighbours.slice(p.offsets[a], p.offsets[a + 1]));
    expect(row(0)).toEqual([1]); // 2 (cos 0) and 3 (cos -1) are not positive
    expect(row(2)).toEqual([1]);
    expect(p.scores[p.offsets[0]]).toBeCloseTo(2 / Math.hypot(2, 0.1), 5);
  });
});

describe("graph scoring", () => {
  const lists = new Map<string, Neighbour[]>([
    ["x", [{ itemId: "p", score: 0.9 }, { itemId: "q", score: 0.5 }]],
    ["y", [{ itemId: "q", score: 0.8 }]],
  ]);
  const lookup = (id: string) => lists.get(id);

  it("sums decayed cosines of the newest distinct path items, skipping unknown ones", () => {
    const g = scoreGraph(["y", "unknown", "x"], lookup, { decay: 0.5, maxPath: 3 });
    expect(g.get("p")).toBeCloseTo(0.9);
    expect(g.get("q")).toBeCloseTo(0.5 + 0.5 * 0.8);
    expect(scoreGraph(["y", "x"], lookup, { maxPath: 1 }).has("q")).toBe(true);
    expect(scoreGraph(["y", "x"], lookup, { maxPath: 1 }).get("q")).toBeCloseTo(0.5);
  });

  it("by default scores the two newest distinct path items, the older at 0.3", () => {
    const g = scoreGraph(["y", "x", "x"], lookup);
    expect(g.get("p")).toBeCloseTo(0.9);
    expect(g.get("q")).toBeCloseTo(0.5 + 0.3 * 0.8);
    expect(scoreGraph(["z", "y", "x"], lookup).get("q")).toBeCloseTo(0.5 + 0.3 * 0.8);
  });

  it("weight 0 keeps the session ranking; a weight lets graph candidates in", () => {
    const session = [
      { itemId: "s1", score: 10, reason: { kind: "viewed" as const } },
      { itemId: "s2", score: 5, reason: { kind: "viewed" as const } },
    ];
    const g = new Map([["p", 0.9], ["s2", 0.9]]);
    expect(addGraphCandidates(session, g, 0, 3)).toEqual(["s1", "s2"]);
    // s2: 0.5 + 0.9, s1: 1, p: 0.9
    expect(addGraphCandidates(session, g, 1, 3)).toEqual(["s2", "s1", "p"]);
  });
});

describe("walksPerNodeFor (the graph's walk budget)", () => {
  const c = { walksPerNode: 10, walkLength: 20 };
  it("trains as configured below the budget, fewer walks above it, never fewer than one", () => {
    expect(walksPerNodeFor(9_724, c, 2_000_000)).toBe(10);
    expect(walksPerNodeFor(20_000, c, 2_000_000)).toBe(5);
    expect(walksPerNodeFor(1_000_000, c, 2_000_000)).toBe(1);
    expect(walksPerNodeFor(0, c, 2_000_000)).toBe(10);
  });
});
