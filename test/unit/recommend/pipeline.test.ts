// The pipeline's pure stages (src/recommend/pipeline.ts) over a hand-made artifact view: seeds per artifact, blend
// then back-fill, exclusions, the recently-viewed kind, `personalized`, and the source filter.
import { describe, expect, it } from "vitest";
import { listSeeds, rankCandidates, recommendInMemory, type ItemDetails, type PipelineRequest } from "../../../src/recommend/pipeline";
import type { ArtifactView, SourceContext } from "../../../src/recommend/sources/types";
import type { Neighbour } from "../../../src/recommend/types";

const n = (itemId: string, score: number): Neighbour => ({ itemId, score });
const session: Record<string, { after: Neighbour[]; with: Neighbour[] }> = {
  a: { after: [n("b", 1), n("c", 0.5)], with: [n("a", 1), n("b", 0.4)] },
  b: { after: [n("c", 1)], with: [n("a", 0.5)] },
};
const personal: Record<string, { itemCf?: Neighbour[]; content?: Neighbour[]; graph?: Neighbour[] }> = {
  a: { content: [n("d", 1)], graph: [n("e", 0.9)] },
  h: { itemCf: [n("f", 1)] },
};
const view: ArtifactView = {
  session: (id) => session[id],
  personal: (id) => personal[id],
  trending: [n("t1", 1), n("t2", 0.5), n("c", 0.4)],
  trendingByCategory: { tents: [n("t2", 0.5)] },
};
const catalog = new Map<string, ItemDetails>(
  ["a", "b", "c", "d", "e", "f", "h", "t1", "t2"].map((id) => [id, { title: id.toUpperCase(), categories: id === "t2" || id === "a" ? ["tents"] : ["other"], tags: [], available: true }]),
);
const lookup = (id: string) => catalog.get(id) ?? null;

function request(ctx: Partial<SourceContext>, extra: Partial<PipelineRequest> = {}): PipelineRequest {
  return { ctx: { path: [], history: [], segment: null, now: 0, ...ctx }, sessionPath: ctx.path ?? [], rules: {}, k: 5, allowUncatalogued: false, ...extra };
}

describe("pipeline", () => {
  it("asks each artifact for the items its sources read", () => {
    const seeds = listSeeds(request({ path: ["a", "b"], current: "b", history: [{ itemId: "h", ts: 0, type: "view", purchases: 0 }] }));
    // session: the path; sequence: the history read as a path.
    expect(seeds.session.sort()).toEqual(["a", "b", "h"]);
    // content: the item on screen and history; item-CF: history; graph: the path.
    expect(seeds.personal.sort()).toEqual(["a", "b", "h"]);
  });

  it("ranks evidence first, then the back-fill with the item on screen's category first, leaving out what the session saw", () => {
    const out = recommendInMemory(request({ path: ["b", "a"], current: "a" }, { k: 6 }), view, lookup);
    const ids = out.items.map((i) => i.id);
    expect(ids).not.toContain("a");
    expect(ids).not.toContain("b");
    expect(ids.slice(0, 3).sort()).toEqual(["c", "d", "e"]);
    expect(out.items.find((i) => i.id === "t2")!.reason.kind).toBe("trending_in_category");
    expect(ids.indexOf("t2")).toBeLessThan(ids.indexOf("t1"));
    expect(out.items.find((i) => i.id === "e")!.reason).toMatchObject({ kind: "related", itemId: "a" });
    expect(out.personalized).toBe(true);
  });

  it("with a live path, blends the session's own items and drops them after: the rest score as with includeViewed", () => {
    // The session source's best candidate is a path item (x follows itself five times as often as anything), so
    // leaving it out first would divide the rest by a smaller best and raise them against the graph's raw scores.
    const lists: ArtifactView = {
      ...view,
      session: (id) => ({ x: { after: [n("x", 5), n("y", 1)], with: [] }, w: { after: [n("z", 1)], with: [] } })[id],
      personal: (id) => (id === "w" ? { graph: [n("g", 0.5)] } : undefined),
    };
    const ctx = { path: ["x", "w"], current: "w" };
    const evidence = (includeViewed: boolean) => rankCandidates(request(ctx, { rules: { includeViewed } }), lists, []).candidates.filter((c) => c.source !== "backfill");
    const unseen = evidence(false);
    expect(unseen.map((c) => c.itemId).sort()).toEqual(["g", "y", "z"]);
    const viewed = evidence(true).filter((c) => c.itemId !== "x" && c.itemId !== "w");
    expect(unseen.map((c) => [c.itemId, c.score])).toEqual(viewed.map((c) => [c.itemId, c.score]));
  });

  it("is not personal when only the item on screen (not the visitor's session) gave evidence", () => {
    const out = recommendInMemory({ ...request({ path: ["a"], current: "a" }), sessionPath: [] }, view, lookup);
    expect(out.items.length).toBe(5);
    expect(out.personalized).toBe(false);
  });

  it("runs only the sources a request names", () => {
    const ranked = rankCandidates(request({ path: ["a"], current: "a" }, { sources: ["trending"] }), view, []);
    expect(ranked.candidates.length).toBeGreaterThan(0);
    expect(ranked.candidates.every((c) => c.source === "backfill")).toBe(true);
    // Nothing the list leaves out is a candidate: the item on screen is in the exclusions, not in the list.
    expect(ranked.excluded.has("a")).toBe(true);
    expect(ranked.candidates.map((c) => c.itemId)).not.toContain("a");
  });

  it("recently_viewed lists the session newest first, then history, without the item on screen and without back-fill", () => {
    const req = request({ path: ["a", "b", "c"], current: "c", history: [{ itemId: "h", ts: 0, type: "view", purchases: 0 }, { itemId: "a", ts: 0, type: "view", purchases: 0 }] }, { kind: "recently_viewed" });
    const out = recommendInMemory(req, view, lookup);
    expect(out.items.map((i) => i.id)).toEqual(["b", "a", "h"]);
    expect(out.items.every((i) => i.reason.kind === "viewed")).toBe(true);
    expect(listSeeds(req)).toEqual({ session: [], personal: [] });
  });

  it("without a live path the sequence source's strong candidates lead; the other sources re-rank and fill behind them", () => {
    // One history item: the sequence scores x, y, z at 1, 0.3, 0.1 of its best; item-CF (weighted up by the site) z and y.
    const lists: ArtifactView = {
      ...view,
      session: (id) => (id === "h" ? { after: [n("x", 1), n("y", 0.3), n("z", 0.1)], with: [] } : undefined),
      personal: (id) => (id === "h" ? { itemCf: [n("z", 1), n("y", 0.5)] } : undefined),
    };
    const history = [{ itemId: "h", ts: 0, type: "view" as const, purchases: 0 }];
    const ranked = rankCandidates(request({ history }, { weights: { itemCf: 40 } }), lists, []);
    const ids = ranked.candidates.map((c) => c.itemId);
    // The blend alone would put z (15 × 0.1 + 40) and y (15 × 0.3 + 20) above x (15): x and y (>= 0.25 of the best) lead.
    expect(ids.slice(0, 3)).toEqual(["x", "y", "z"]);
    const scores = ranked.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // With a live path the session source leads and the blend's order stands.
    const live = rankCandidates(request({ path: ["h"], current: "h", history }, { weights: { itemCf: 40 } }), lists, []);
    expect(live.candidates[0]!.itemId).toBe("z");
  });
});
