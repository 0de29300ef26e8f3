// Business rules over blended candidates: exclusions (explicit, purchased, viewed, unavailable, categories),
// boosts, diversity (MMR), a per-category cap, and pinned items first. Pure; the caller supplies item metadata.
// Each rule is its own function over a candidate list; `applyRules` composes them in the one order that is safe.
import type { Rules } from "../schemas/site-config";
import { mmr } from "./mmr";

export type { Rules };
/** What the rules need to know about an item (from the catalog); unknown items get `undefined`. */
export type ItemMeta = { categories: readonly string[]; tags: readonly string[]; available: boolean };
export type RuleCandidate = { itemId: string; score: number };
export type MetaLookup = (itemId: string) => ItemMeta | undefined;

/** Boosted items' scores are multiplied by this: they move up but still compete. */
export const BOOST_FACTOR = 1.5;

/** A rule that contradicts another: the parameter to name in the 400 and what it clashes with. */
export type RuleConflict = { field: keyof Rules; message: string };

/**
 * The one rule validator, used for request parameters (merged over the slot's defaults) and for the site config
 * (PUT /admin/sites/:id/config), so a config is refused when requests to its slot would be. Returns the first
 * parameter that contradicts another, or null when the rules are consistent.
 */
export function validateRules(r: Rules): RuleConflict | null {
  const cat = r.includeCategories?.find((c) => r.excludeCategories?.includes(c));
  if (cat !== undefined) return { field: "excludeCategories", message: `category ${cat} is also in includeCategories` };
  const pin = r.pin?.find((id) => r.exclude?.includes(id));
  if (pin !== undefined) return { field: "pin", message: `item ${pin} is also in exclude` };
  const boost = r.boost?.find((id) => r.exclude?.includes(id));
  if (boost !== undefined) return { field: "boost", message: `item ${boost} is also in exclude` };
  if (r.includeViewed === true && r.excludeViewed === true) return { field: "includeViewed", message: "contradicts excludeViewed" };
  return null;
}

export type RuleContext = {
  meta: MetaLookup;
  purchased: ReadonlySet<string>;
  viewed: ReadonlySet<string>;
  k: number;
};

/**
 * Hard filters: explicit exclusions, unavailable items, purchases (unless `excludePurchased: false`), viewed items
 * (with `excludeViewed: true`), category include/exclude. Unknown items (not in the catalog) have no categories: a
 * category inclusion rule drops them, an exclusion rule keeps them.
 */
export function filterEligible<T extends RuleCandidate>(candidates: readonly T[], r: Rules, ctx: Omit<RuleContext, "k">): T[] {
  const exclude = new Set(r.exclude ?? []);
  const include = r.includeCategories ? new Set(r.includeCategories) : null;
  const excludeCats = new Set(r.excludeCategories ?? []);
  return candidates.filter((c) => {
    if (exclude.has(c.itemId) || ctx.meta(c.itemId)?.available === false) return false;
    if (r.excludePurchased !== false && ctx.purchased.has(c.itemId)) return false;
    if (r.excludeViewed === true && ctx.viewed.has(c.itemId)) return false;
    const cats = ctx.meta(c.itemId)?.categories ?? [];
    if (include && !cats.some((x) => include.has(x))) return false;
    return !cats.some((x) => excludeCats.has(x));
  });
}

/** Multiplies boosted items' scores by `BOOST_FACTOR` and re-sorts (stable) when anything was boosted. */
export function applyBoost<T extends RuleCandidate>(candidates: readonly T[], boost: readonly string[] | undefined): T[] {
  const ids = new Set(boost ?? []);
  if (ids.size === 0) return candidates.slice();
  return candidates.map((c) => (ids.has(c.itemId) ? { ...c, score: c.score * BOOST_FACTOR } : c)).sort((a, b) => b.score - a.score);
}

/** Reorders by MMR (lambda 1 = unchanged) over category and tag labels; keeps the first `k` picks. */
export function diversify<T extends RuleCandidate>(candidates: readonly T[], lambda: number, k: number, meta: MetaLookup): T[] {
  if (lambda >= 1) return candidates.slice();
  const labelled = candidates.map((c, at) => {
    const m = meta(c.itemId);
    return { itemId: c.itemId, score: c.score, at, labels: new Set([...(m?.categories ?? []).map((x) => `c:${x}`), ...(m?.tags ?? []).map((x) => `t:${x}`)]) };
  });
  return mmr(labelled, lambda, k).map((l) => candidates[l.at]!);
}

/** Keeps an item only while every one of its categories has fewer than `max` items already kept. */
export function capPerCategory<T extends RuleCandidate>(candidates: readonly T[], max: number, meta: MetaLookup): T[] {
  const perCat = new Map<string, number>();
  return candidates.filter((c) => {
    const cats = meta(c.itemId)?.categories ?? [];
    if (cats.some((x) => (perCat.get(x) ?? 0) >= max)) return false;
    for (const x of cats) perCat.set(x, (perCat.get(x) ?? 0) + 1);
    return true;
  });
}

/**
 * Applies the rules and returns at most k items. Pins go first, in order, if they pass the hard filters (explicit
 * exclusion, availability) even when the model did not score them (`pinned` makes a candidate for those).
 */
export function applyRules<T extends RuleCandidate>(candidates: readonly T[], r: Rules, ctx: RuleContext, pinned: (itemId: string) => T): T[] {
  const exclude = new Set(r.exclude ?? []);
  const pins = (r.pin ?? []).filter((id) => !exclude.has(id) && ctx.meta(id)?.available !== false);
  const pinSet = new Set(pins);
  const room = Math.max(0, ctx.k - pins.length);
  let list = applyBoost(filterEligible(candidates, r, ctx), r.boost).filter((c) => !pinSet.has(c.itemId));
  // MMR picks a few spare items, so the category cap after it still has enough to fill the list.
  if (r.diversity !== undefined && r.diversity < 1) list = diversify(list, r.diversity, Math.max(room * 3, room), ctx.meta);
  if (r.maxPerCategory !== undefined) list = capPerCategory(list, r.maxPerCategory, ctx.meta);
  const byId = new Map(candidates.map((c) => [c.itemId, c]));
  return [...pins.map((id) => byId.get(id) ?? pinned(id)), ...list.slice(0, room)].slice(0, ctx.k);
}
