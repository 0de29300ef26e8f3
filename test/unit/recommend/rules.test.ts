import { describe, expect, it } from "vitest";
import { applyBoost, applyRules, capPerCategory, diversify, filterEligible, validateRules, type ItemMeta, type RuleContext } from "../../../src/recommend/filters";
import { mmr } from "../../../src/recommend/mmr";

const META: Record<string, ItemMeta> = {
  boot: { categories: ["shoes"], tags: ["leather"], available: true },
  sneaker: { categories: ["shoes", "sport"], tags: ["canvas"], available: true },
  sandal: { categories: ["shoes"], tags: ["summer"], available: true },
  ball: { categories: ["sport"], tags: [], available: true },
  tent: { categories: ["camping"], tags: [], available: true },
  soldout: { categories: ["camping"], tags: [], available: false },
};
const ids = ["boot", "sneaker", "sandal", "ball", "tent", "soldout"];
const cands = ids.map((itemId, i) => ({ itemId, score: 1 - i / 10 }));
const ctx = (over: Partial<RuleContext> = {}): RuleContext => ({ meta: (id) => META[id], purchased: new Set(), viewed: new Set(), k: 10, ...over });
const pinned = (itemId: string) => ({ itemId, score: 0 });
const run = (r: Parameters<typeof applyRules>[1], over: Partial<RuleContext> = {}) => applyRules(cands, r, ctx(over), pinned).map((c) => c.itemId);

describe("business rules", () => {
  it("excludes an item the visitor purchased unless told not to, and viewed items only on request", () => {
    expect(run({}, { purchased: new Set(["boot"]) })).toEqual(["sneaker", "sandal", "ball", "tent"]);
    expect(run({ excludePurchased: false }, { purchased: new Set(["boot"]) })[0]).toBe("boot");
    expect(run({}, { viewed: new Set(["sneaker"]) })).toContain("sneaker");
    expect(run({ excludeViewed: true }, { viewed: new Set(["sneaker"]) })).not.toContain("sneaker");
  });

  it("never returns unavailable or explicitly excluded items, even pinned ones", () => {
    expect(run({})).not.toContain("soldout");
    expect(run({ exclude: ["tent"], pin: ["soldout"] })).toEqual(["boot", "sneaker", "sandal", "ball"]);
  });

  it("include and exclude categories combine: include any listed, then drop any excluded", () => {
    expect(run({ includeCategories: ["sport"] })).toEqual(["sneaker", "ball"]);
    expect(run({ excludeCategories: ["shoes"] })).toEqual(["ball", "tent"]);
    // sneaker is in sport (included) but also shoes (excluded): exclusion wins.
    expect(run({ includeCategories: ["sport", "camping"], excludeCategories: ["shoes"] })).toEqual(["ball", "tent"]);
    // Every returned item satisfies both rules.
    for (const id of run({ includeCategories: ["shoes"], excludeCategories: ["sport"] })) {
      expect(META[id]!.categories).toContain("shoes");
      expect(META[id]!.categories).not.toContain("sport");
    }
  });

  it("names the contradicting parameter", () => {
    expect(validateRules({ includeCategories: ["shoes", "sport"], excludeCategories: ["sport"] })?.field).toBe("excludeCategories");
    expect(validateRules({ pin: ["boot"], exclude: ["boot"] })?.field).toBe("pin");
    expect(validateRules({ boost: ["boot"], exclude: ["boot"] })?.field).toBe("boost");
    expect(validateRules({ includeCategories: ["shoes"], excludeCategories: ["sport"], pin: ["ball"], boost: ["tent"] })).toBeNull();
    expect(validateRules({ includeViewed: true, excludeViewed: true })?.field).toBe("includeViewed");
  });

  it("pins go to the top in order, boosts move items up, and the category cap holds", () => {
    expect(run({ pin: ["tent", "ball"] }).slice(0, 2)).toEqual(["tent", "ball"]);
    expect(run({ pin: ["unscored-item"] }, { k: 2 })).toEqual(["unscored-item", "boot"]);
    // tent: 0.6 x 1.5 = 0.9 moves it from fifth to just behind boot and sneaker, still competing with them.
    expect(applyBoost(cands, ["tent"]).map((c) => c.itemId).slice(0, 4)).toEqual(["boot", "sneaker", "tent", "sandal"]);
    const capped = run({ maxPerCategory: 1 });
    expect(capped).toEqual(["boot", "ball", "tent"]);
    const counts = new Map<string, number>();
    for (const id of capped) for (const c of META[id]!.categories) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBe(1);
  });

  it("the steps compose as plain functions", () => {
    const eligible = filterEligible(cands, { excludeCategories: ["camping"] }, ctx());
    expect(eligible.map((c) => c.itemId)).toEqual(["boot", "sneaker", "sandal", "ball"]);
    expect(capPerCategory(eligible, 2, ctx().meta).map((c) => c.itemId)).toEqual(["boot", "sneaker", "ball"]);
    expect(diversify(eligible, 1, 10, ctx().meta)).toEqual(eligible);
  });
});

describe("MMR diversity", () => {
  const longestRun = (list: readonly string[]) => {
    let best = 0;
    let run = 0;
    list.forEach((id, i) => {
      run = i > 0 && META2[id] === META2[list[i - 1]!] ? run + 1 : 1;
      best = Math.max(best, run);
    });
    return best;
  };
  const META2: Record<string, string> = {};
  const items = Array.from({ length: 12 }, (_, i) => {
    const cat = i < 8 ? "shoes" : i < 10 ? "bags" : "hats"; // relevance is concentrated in one category
    const itemId = `${cat}-${i}`;
    META2[itemId] = cat;
    return { itemId, score: 1 - i * 0.02, labels: new Set([`c:${cat}`]) };
  });

  it("reduces same-category runs as lambda falls, keeping the most relevant item first", () => {
    const plain = mmr(items, 1, 8).map((i) => i.itemId);
    const diverse = mmr(items, 0.5, 8).map((i) => i.itemId);
    expect(longestRun(plain)).toBe(8);
    expect(longestRun(diverse)).toBeLessThan(longestRun(plain));
    expect(diverse[0]).toBe(plain[0]);
    expect(new Set(diverse.slice(0, 3).map((id) => META2[id]))).toEqual(new Set(["shoes", "bags", "hats"]));
  });

  it("accepts another similarity (e.g. content vectors)", () => {
    const none = mmr(items, 0.5, 4, () => 0).map((i) => i.itemId);
    expect(none).toEqual(items.slice(0, 4).map((i) => i.itemId));
  });

  it("as a rule (diversity parameter) breaks up runs of the candidates' categories", () => {
    const picked = run({ diversity: 0.3 }).slice(0, 3);
    expect(new Set(picked.map((id) => META[id]!.categories[0]))).toEqual(new Set(["shoes", "sport", "camping"]));
  });
});
