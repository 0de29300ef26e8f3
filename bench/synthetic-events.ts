// A streamed synthetic shop for the training-scale benchmark: a fixed catalog, visitors with a hidden category
// taste, sessions drawn one visitor at a time from a seeded PRNG. Nothing is materialised, so the benchmark's memory
// is the trainers' alone, as when the retrain pages through D1 and the archive.
import { seededRandom } from "../src/recommend/random";
import type { CatalogItem, HistoryRow } from "../src/recommend/sources/types";

export type SyntheticShop = { items: number; categories: number; eventsPerVisitor: number; sessionMean: number };

export const DEFAULT_SHOP: SyntheticShop = { items: 20_000, categories: 100, eventsPerVisitor: 20, sessionMean: 5 };

export function catalog(shop: SyntheticShop = DEFAULT_SHOP): CatalogItem[] {
  return Array.from({ length: shop.items }, (_, i) => ({ id: `i${i}`, categories: [`c${i % shop.categories}`], tags: [`t${i % 997}`] }));
}

/** Zipf-like rank in [0, n): rank r with probability ∝ 1/(r+1), by inverting the harmonic CDF's log approximation. */
function zipfRank(rand: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(rand() * Math.log(n + 1)) - 1));
}

/**
 * Visitor by visitor until `events` events: each visitor's sessions (item ids, oldest first) and the same events as
 * history rows (one profile's rows together, in time order, as the retrain's keyset pages deliver them).
 */
export function* visitors(events: number, seed = 1, shop: SyntheticShop = DEFAULT_SHOP): Generator<{ sessions: string[][]; rows: HistoryRow[] }> {
  const rand = seededRandom(seed);
  const perCategory = Math.floor(shop.items / shop.categories);
  let made = 0;
  let t = Date.UTC(2026, 10, 1);
  for (let v = 0; made < events; v++) {
    const taste = [Math.floor(rand() * shop.categories), Math.floor(rand() * shop.categories)];
    const profileId = `p${v}`;
    const sessions: string[][] = [];
    const rows: HistoryRow[] = [];
    let left = Math.min(events - made, 1 + Math.floor(rand() * 2 * shop.eventsPerVisitor));
    while (left > 0) {
      const len = Math.min(left, 1 + Math.floor(-Math.log(1 - rand()) * (shop.sessionMean - 1)));
      const session: string[] = [];
      for (let s = 0; s < len; s++) {
        // Mostly the visitor's categories, by in-category popularity; otherwise the shop's best sellers.
        const cat = taste[rand() < 0.6 ? 0 : 1]!;
        const item = rand() < 0.8 ? cat + shop.categories * zipfRank(rand, perCategory) : zipfRank(rand, shop.items);
        session.push(`i${item}`);
        t += 1000 + Math.floor(rand() * 60_000);
        const r = rand();
        rows.push({ profileId, itemId: `i${item}`, type: r < 0.03 ? "purchase" : r < 0.1 ? "add_to_cart" : "view", ts: t });
      }
      sessions.push(session);
      left -= len;
      t += 3_600_000;
    }
    made += rows.length;
    yield { sessions, rows };
  }
}
