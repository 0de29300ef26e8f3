// Business rules over blended candidates: exclusions (explicit, purchased, viewed, unavailable, categories),
// boosts, diversity (MMR), a per-category cap, and pinned items first. Pure; the caller supplies item metadata.
import type { Rules } from "../schemas/site-config";
import { mmr } from "./mmr";

export type ItemMeta = { categories: readonly string[]; tags: readonly string[]; available: boolean };
export type RuleCandidate = { itemId: string; score: number };

/** Boosted items' scores are multiplied by this: they move up but still compete. */
export const BOOST_FACTOR = 1.5;

/** The name of the first parameter that contradicts another, or null when the rules are consistent. */
export function validateRules(r: Rules): string | null {
  if (r.includeCategories?.some((c) => r.excludeCategories?.includes(c))) return "excludeCategories";
  if (r.pin?.some((id) => r.exclude?.includes(id))) return "pin";
  if (r.boost?.some((id) => r.exclude?.includes(id))) return "boost";
  return null;
}

export type RuleContext = {
  meta: (itemId: string) => ItemMeta | undefined;
  purchased: ReadonlySet<string>;
  viewed: ReadonlySet<string>;
  k: number;
};

/**
 * Applies the rules and returns at most k items. Unknown items (not in the catalog) have no categories: a category
 * inclusion rule drops them, an exclusion rule keeps them. Pins go first, in order, if they pass the hard filters
 * (explicit exclusion, availability) even when the model did not score them.
 */
export function applyRules<T extends RuleCandidate>(candidates: readonly T[], r: Rules, ctx: RuleContext, pinned: (itemId: string) => T): T[] {
  const exclude = new Set(r.exclude ?? []);
  const include = r.includeCategories ? new Set(r.includeCategories) : null;
  const excludeCats = new Set(r.excludeCategories ?? []);
  const boost = new Set(r.boost ?? []);
  const available = (id: string) => ctx.meta(id)?.available !== false;
  const eligible = (c: T): boolean => {
    if (exclude.has(c.itemId) || !available(c.itemId)) return false;
    if (r.excludePurchased !== false && ctx.purchased.has(c.itemId)) return false;
    if (r.excludeViewed === true && ctx.viewed.has(c.itemId)) return false;
    const cats = ctx.meta(c.itemId)?.categories ?? [];
    if (include && !cats.some((x) => include.has(x))) return false;
    return !cats.some((x) => excludeCats.has(x));
  };
  let list = candidates.filter(eligible).map((c) => (boost.has(c.itemId) ? { ...c, score: c.score * BOOST_FACTOR } : c));
  if (boost.size > 0) list.sort((a, b) => b.score - a.score);

  const pins = (r.pin ?? []).filter((id) => !exclude.has(id) && available(id));
  const pinSet = new Set(pins);
  list = list.filter((c) => !pinSet.has(c.itemId));
  const room = Math.max(0, ctx.k - pins.length);

  if (r.diversity !== undefined && r.diversity < 1) {
    const labelled = list.map((c) => {
      const m = ctx.meta(c.itemId);
      return { ...c, labels: new Set([...(m?.categories ?? []).map((x) => `c:${x}`), ...(m?.tags ?? []).map((x) => `t:${x}`)]) };
    });
    list = mmr(labelled, r.diversity, Math.max(room * 3, room)).map((l) => list.find((c) => c.itemId === l.itemId)!);
  }
  if (r.maxPerCategory !== undefined) {
    const perCat = new Map<string, number>();
    list = list.filter((c) => {
      const cats = ctx.meta(c.itemId)?.categories ?? [];
      if (cats.some((x) => (perCat.get(x) ?? 0) >= r.maxPerCategory!)) return false;
      for (const x of cats) perCat.set(x, (perCat.get(x) ?? 0) + 1);
      return true;
    });
  }
  const byId = new Map(candidates.map((c) => [c.itemId, c]));
  return [...pins.map((id) => byId.get(id) ?? pinned(id)), ...list.slice(0, room)].slice(0, ctx.k);
}
