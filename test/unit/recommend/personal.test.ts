import { describe, expect, it } from "vitest";
import { blend } from "../../../src/recommend/blend";
import { ContentTrainer } from "../../../src/recommend/content";
import { applyRules, validateRules, type ItemMeta } from "../../../src/recommend/filters";
import { ItemCfTrainer, scoreHistory } from "../../../src/recommend/item-cf";
import { mmr } from "../../../src/recommend/mmr";
import { assignSegment, segmentDescription, segmentSettings, trainSegments, type BehaviourSummary } from "../../../src/recommend/segments";

const DAY = 86_400_000;

describe("item-to-item CF from user histories", () => {
  it("links items bought by the same people, a purchase weighing more than a view", () => {
    const t = new ItemCfTrainer();
    for (let u = 0; u < 5; u++) {
      t.push(`u${u}`, "tent", 1000 + u, "view");
      t.push(`u${u}`, "lamp", 2000 + u, "purchase");
      t.push(`u${u}`, "sock", 3000 + u, u < 2 ? "view" : "view");
    }
    t.push("u9", "tent", 1, "view");
    t.push("u9", "sock", 2, "view");
    const built = t.build();
    const lists = new Map(built.items.map((id, i) => [id, built.lists[i]!]));
    const tent = lists.get("tent")!;
    expect(tent[0]!.itemId).toBe("lamp");
    const scored = scoreHistory([{ itemId: "tent", ts: 0, type: "view" }], (id) => lists.get(id), { now: 0 });
    expect(scored[0]).toMatchObject({ itemId: "lamp", from: "tent" });
    expect(scored.map((s) => s.itemId)).not.toContain("unknown");
  });

  it("damps pairs far apart in time", () => {
    const near = new ItemCfTrainer({ decayMs: DAY });
    near.push("u", "a", 0, "view");
    near.push("u", "b", 1000, "view");
    near.push("v", "a", 0, "view");
    near.push("v", "c", 100 * DAY, "view");
    const built = near.build();
    const a = built.lists[built.items.indexOf("a")]!;
    expect(a.map((n) => n.itemId)).toEqual(["b", "c"]);
    expect(a[0]!.score).toBeGreaterThan(a[1]!.score * 10);
  });
});

describe("content similarity", () => {
  it("reaches a brand-new item with no interactions through its categories and tags", () => {
    const c = new ContentTrainer();
    c.push("old-boot", ["shoes"], ["waterproof", "leather"]);
    c.push("new-boot", ["shoes"], ["waterproof"]);
    c.push("lamp", ["lamps"], ["led"]);
    c.push("sandal", ["shoes"], ["summer"]);
    const built = c.build();
    const oldBoot = built.lists[built.items.indexOf("old-boot")]!;
    expect(oldBoot[0]!.itemId).toBe("new-boot");
    expect(oldBoot.map((n) => n.itemId)).not.toContain("lamp");
  });
});

describe("segments", () => {
  const person = (device: string, cat: string, purchases: number, hour: number): BehaviourSummary => ({
    lastSeen: 100 * DAY,
    eventCount: 20,
    counts: { view: 20 - purchases, purchase: purchases },
    categoryCounts: { [cat]: 10 },
    deviceCounts: { [device]: 20 },
    hourCounts: Array.from({ length: 24 }, (_, h) => (h === hour ? 20 : 0)),
  });

  it("finds the planted groups by silhouette and Davies-Bouldin and assigns a newcomer to the nearest", () => {
    const rows: BehaviourSummary[] = [];
    for (let i = 0; i < 20; i++) rows.push(person("mobile", "shoes", 0, 21), person("desktop", "tents", 5, 9), person("tablet", "lamps", 2, 14));
    const result = trainSegments(rows, 100 * DAY, { settings: segmentSettings({ kMin: 2, kMax: 6 }) })!;
    expect(result.model.k).toBe(3);
    expect(result.model.silhouette).toBeGreaterThan(0.8);
    expect(result.model.daviesBouldin).toBeLessThan(0.5);
    expect(result.model.segments.map((s) => s.size).sort()).toEqual([20, 20, 20]);
    const seg = assignSegment(person("mobile", "shoes", 0, 22), result.model, 100 * DAY);
    expect(seg).toBe(result.assign[0]);
    expect(segmentDescription(result.model, seg!)).toMatch(/mobile/);
    expect(JSON.parse(JSON.stringify(result.model))).toEqual(result.model);
  });
});

describe("blend", () => {
  it("normalises each source by its best score and keeps the strongest source's reason", () => {
    const out = blend(
      {
        session: [{ itemId: "a", score: 100, reason: "s" }, { itemId: "b", score: 50, reason: "s" }],
        content: [{ itemId: "b", score: 0.9, reason: "c" }, { itemId: "c", score: 0.3, reason: "c" }],
      },
      { session: 1, content: 1 },
    );
    expect(out.map((o) => o.itemId)).toEqual(["b", "a", "c"]);
    expect(out[0]).toMatchObject({ score: 1.5, source: "content", reason: "c" });
  });

  it("skips a source with zero weight", () => {
    const out = blend({ trending: [{ itemId: "x", score: 1, reason: null }] }, { trending: 0 });
    expect(out).toEqual([]);
  });
});

describe("business rules", () => {
  const meta: Record<string, ItemMeta> = {
    s1: { categories: ["shoes"], tags: ["red"], available: true },
    s2: { categories: ["shoes"], tags: ["red"], available: true },
    s3: { categories: ["shoes"], tags: ["blue"], available: true },
    k1: { categories: ["socks"], tags: [], available: true },
    gone: { categories: ["socks"], tags: [], available: false },
  };
  const cands = ["s1", "s2", "s3", "k1", "gone", "unknown"].map((itemId, i) => ({ itemId, score: 10 - i }));
  const ctx = (k = 10, purchased: string[] = []) => ({ meta: (id: string) => meta[id], purchased: new Set(purchased), viewed: new Set(["s3"]), k });
  const pin = (itemId: string) => ({ itemId, score: 0 });

  it("excludes purchases by default, unavailable items always, and viewed items on request", () => {
    const ids = (r: Parameters<typeof applyRules>[1], c = ctx(10, ["s1"])) => applyRules(cands, r, c, pin).map((x) => x.itemId);
    expect(ids({})).toEqual(["s2", "s3", "k1", "unknown"]);
    expect(ids({ excludePurchased: false })).toEqual(["s1", "s2", "s3", "k1", "unknown"]);
    expect(ids({ excludeViewed: true })).toEqual(["s2", "k1", "unknown"]);
  });

  it("combines category include and exclude rules", () => {
    const ids = (r: Parameters<typeof applyRules>[1]) => applyRules(cands, r, ctx(), pin).map((x) => x.itemId);
    expect(ids({ includeCategories: ["socks"] })).toEqual(["k1"]);
    expect(ids({ excludeCategories: ["shoes"] })).toEqual(["k1", "unknown"]);
    expect(ids({ includeCategories: ["shoes", "socks"], excludeCategories: ["socks"] })).toEqual(["s1", "s2", "s3"]);
    expect(validateRules({ includeCategories: ["socks"], excludeCategories: ["socks"] })?.field).toBe("excludeCategories");
    expect(validateRules({ pin: ["a"], exclude: ["a"] })?.field).toBe("pin");
    expect(validateRules({ includeCategories: ["a"], excludeCategories: ["b"] })).toBeNull();
  });

  it("puts pins first, boosts, and caps items per category", () => {
    const out = applyRules(cands, { pin: ["k1", "new-item"], boost: ["s3"], maxPerCategory: 1 }, ctx(4), pin).map((x) => x.itemId);
    // s3 (boosted past s1) is the one shoe the cap lets through.
    expect(out).toEqual(["k1", "new-item", "s3", "unknown"]);
  });

  it("MMR breaks up same-category runs", () => {
    const items = ["s1", "s2", "s3", "k1"].map((itemId, i) => ({ itemId, score: 1 - i * 0.05, labels: new Set(meta[itemId]!.categories) }));
    const plain = mmr(items, 1, 3).map((i) => i.itemId);
    const diverse = mmr(items, 0.3, 3).map((i) => i.itemId);
    expect(plain).toEqual(["s1", "s2", "s3"]);
    expect(diverse.slice(0, 2)).toEqual(["s1", "k1"]);
  });
});
