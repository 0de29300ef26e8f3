// The simulator's traffic: shoppers browsing by their hidden taste (history), and product-page visits where a slot
// is served, seen (impressions), clicked by the click model, and clicked items carted and bought (with attribution).
import { seededRandom, seededUuid } from "../demo/random";
import { sendEvents, serveSlot, type Api, type SimEvent } from "./api";
import { nextItem, react, type Shop, type Shopper } from "./visitors";

/** Spacing of one shopper's events: a few seconds apart, as a person clicks through a shop. */
const STEP_MS = 4_000;

/** One past session of views (no slots): history the model is trained on. `endTs` is its last event's time. */
export async function browseHistory(api: Api, shop: Shop, s: Shopper, seed: number, endTs: number): Promise<number> {
  const rand = seededRandom(seed);
  const sessionId = seededUuid(rand);
  const length = 4 + Math.floor(rand() * 8);
  const events: SimEvent[] = [];
  let item = nextItem(shop, s, rand);
  for (let i = 0; i < length; i++) {
    events.push({ id: seededUuid(rand), type: "view", anonymousId: s.anonymousId, sessionId, itemId: item.id, ts: endTs - (length - i) * STEP_MS });
    item = nextItem(shop, s, rand, item);
  }
  await sendEvents(api, s, events);
  return events.length;
}

export type VisitCounts = { lists: number; impressions: number; clicks: number; carts: number; purchases: number };

/**
 * A visit of `pages` product pages: view the page (sent with the previous page's impressions and clicks, as the
 * snippet's queue flushes), get the page's slot, react to it by the click model. A click is the next page when
 * there is one; carts and purchases of clicked items follow the click.
 */
export async function visit(api: Api, shop: Shop, s: Shopper, opts: { seed: number; pages: number; slot: string; k: number }): Promise<VisitCounts> {
  const rand = seededRandom(opts.seed);
  const sessionId = seededUuid(rand);
  const counts: VisitCounts = { lists: 0, impressions: 0, clicks: 0, carts: 0, purchases: 0 };
  // At most ~25 events a page: start far enough back that the last is not in the future.
  let ts = Date.now() - opts.pages * 30 * STEP_MS;
  const tick = () => (ts += STEP_MS);
  let item = nextItem(shop, s, rand);
  let pending: SimEvent[] = [];
  const ev = (type: SimEvent["type"], itemId: string, extra: Partial<SimEvent> = {}): SimEvent => ({ id: seededUuid(rand), type, anonymousId: s.anonymousId, sessionId, itemId, ts: tick(), ...extra });
  for (let page = 0; page < opts.pages; page++) {
    pending.push(ev("view", item.id));
    await sendEvents(api, s, pending);
    pending = [];
    const list = await serveSlot(api, s, opts.slot, sessionId, item.id, opts.k);
    const shown = list.items.map((i) => i.id);
    if (shown.length === 0) continue;
    counts.lists++;
    const context = { recommendationId: list.recommendationId, slot: opts.slot };
    for (const id of shown) pending.push(ev("impression", id, { context }));
    counts.impressions += shown.length;
    const r = react(shop, s, shown, rand);
    for (const id of r.clicked) pending.push(ev("click", id, { context }));
    for (const id of r.carted) pending.push(ev("add_to_cart", id));
    for (const id of r.bought) pending.push(ev("purchase", id, { properties: { price: shop.byId.get(id)?.attributes.price ?? 0, quantity: 1 } }));
    counts.clicks += r.clicked.length;
    counts.carts += r.carted.length;
    counts.purchases += r.bought.length;
    item = (r.clicked[0] !== undefined ? shop.byId.get(r.clicked[0]) : undefined) ?? nextItem(shop, s, rand, item);
  }
  await sendEvents(api, s, pending);
  return counts;
}
