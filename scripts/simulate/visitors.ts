// Synthetic shoppers for `npm run simulate`: each has a hidden taste (an affinity per catalog category and a style
// vector; items have a style vector and an appeal), browses by it, and clicks a served list by a position-biased
// click model whose click probability rises with the match. Pure and seeded.
import type { DemoItem } from "../demo/generator";
import { pickWeighted, seededRandom, seededUuid } from "../demo/random";

export type Shopper = {
  anonymousId: string;
  /** A private address per shopper (10.x.y.z), sent as cf-connecting-ip like a real browser's. */
  ip: string;
  /** Hidden taste: affinity per category in [0, 1], the favourite at 1. The Worker never sees it. */
  taste: Record<string, number>;
  /** Hidden style, a unit vector: items whose style points the same way match better. */
  style: number[];
};

/** Dimensions of the hidden style space. */
const STYLE_DIMS = 3;

function unitVector(rand: () => number): number[] {
  // Normal coordinates (Box-Muller) give a direction uniform on the sphere.
  const v = Array.from({ length: STYLE_DIMS }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export type Shop = {
  items: DemoItem[];
  byId: Map<string, DemoItem>;
  categories: string[];
  /** Items of a category in catalog order (its "chain": shoppers often go from item n to n + 1). */
  chain: Map<string, DemoItem[]>;
  /** Per-item appeal in [0.5, 1]: some products are simply better, for everyone. */
  appeal: Map<string, number>;
  /** Per-item style, a unit vector. */
  style: Map<string, number[]>;
};

export function shopOf(items: DemoItem[], seed: number): Shop {
  const rand = seededRandom(seed ^ 0x5bd1e995);
  const categories = [...new Set(items.map((i) => i.categories[0]!))];
  const chain = new Map(categories.map((c) => [c, items.filter((i) => i.categories[0] === c)]));
  const appeal = new Map(items.map((i) => [i.id, 0.5 + 0.5 * rand()]));
  const style = new Map(items.map((i) => [i.id, unitVector(rand)]));
  return { items, byId: new Map(items.map((i) => [i.id, i])), categories, chain, appeal, style };
}

/** `n` shoppers; taste = u³ per category (a few strong interests), scaled so the favourite is 1. */
export function makeShoppers(shop: Shop, n: number, seed: number): Shopper[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const raw = shop.categories.map(() => rand() ** 3);
    const max = Math.max(...raw);
    return {
      anonymousId: `sim-${seededUuid(rand)}`,
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      taste: Object.fromEntries(shop.categories.map((c, k) => [c, raw[k]! / max])),
      style: unitVector(rand),
    };
  });
}

/**
 * How well an item matches a shopper's hidden taste, in [0, 1]:
 * √(category affinity) × appeal × ((1 + cos(style of shopper, style of item)) / 2)³.
 */
export function match(shop: Shop, s: Shopper, itemId: string): number {
  const item = shop.byId.get(itemId);
  if (!item) return 0;
  const v = shop.style.get(itemId)!;
  const cos = v.reduce((sum, x, i) => sum + x * s.style[i]!, 0);
  return Math.sqrt(s.taste[item.categories[0]!] ?? 0) * shop.appeal.get(itemId)! * ((1 + cos) / 2) ** 3;
}

/**
 * A browsing step: an item drawn with weight match², twice as likely in the category of the item the shopper is on.
 * So history holds the taste (co-viewed items share a style), which a model can learn and trending cannot.
 */
export function nextItem(shop: Shop, s: Shopper, rand: () => number, from?: DemoItem): DemoItem {
  const cat = from?.categories[0];
  const weights = shop.items.map((i) => (i.id === from?.id ? 0 : match(shop, s, i.id) ** 2 * (i.categories[0] === cat ? 2 : 1)));
  return shop.items[pickWeighted(rand, weights)]!;
}

/**
 * The click model, position-based (Craswell et al. 2008, "PBM"): a shopper examines rank r (0-based) with
 * probability EXAMINE(r) = 1 / (r + 1)^0.6, and clicks an examined item with probability
 * ATTRACT(m) = 0.02 + 0.45·m², where m = match(taste, item). After a click: add to cart with probability 0.3·m,
 * and buy what is in the cart with probability 0.5 (quantity 1, at the catalog price).
 */
export const clickModel = {
  examine: (rank: number) => 1 / (rank + 1) ** 0.6,
  attract: (m: number) => 0.02 + 0.45 * m * m,
  cart: (m: number) => 0.3 * m,
  buy: 0.5,
};

export type Reaction = { clicked: string[]; carted: string[]; bought: string[] };

/** What a shopper does with a served list, by the click model. */
export function react(shop: Shop, s: Shopper, itemIds: readonly string[], rand: () => number): Reaction {
  const r: Reaction = { clicked: [], carted: [], bought: [] };
  itemIds.forEach((id, rank) => {
    const m = match(shop, s, id);
    if (rand() >= clickModel.examine(rank) * clickModel.attract(m)) return;
    r.clicked.push(id);
    if (rand() < clickModel.cart(m)) {
      r.carted.push(id);
      if (rand() < clickModel.buy) r.bought.push(id);
    }
  });
  return r;
}
