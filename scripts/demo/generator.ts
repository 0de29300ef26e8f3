// Synthetic shop data for the demo and benchmarks: a catalog, and visitors who browse categories with sequential
// habits (people tend to go from one item to "the next one" in a category, and from shoes to socks), add to cart,
// buy, and sometimes log in. Deterministic for a given seed.
import { pick, pickWeighted, seededRandom, seededUuid } from "./random";

export type DemoItem = {
  id: string;
  title: string;
  url: string;
  image: string;
  categories: string[];
  tags: string[];
  attributes: { price: number };
  available: boolean;
};

export type DemoEvent = {
  id: string;
  type: "view" | "add_to_cart" | "purchase" | "identify" | "search";
  anonymousId: string;
  userId?: string;
  sessionId: string;
  itemId?: string;
  ts: number;
  context?: { device: "desktop" | "mobile" | "tablet"; url?: string; locale?: string };
  properties?: Record<string, string | number>;
};

export type GeneratorOptions = {
  seed?: number;
  visitors?: number;
  itemsPerCategory?: number;
  /** Events end at this time (ms) and start `days` earlier. */
  now: number;
  days?: number;
};

const CATEGORIES = ["shoes", "socks", "jackets", "backpacks", "tents", "lamps"] as const;
/** Browsing spills over from a category to its companion (shoes → socks …). */
const COMPANION: Record<(typeof CATEGORIES)[number], (typeof CATEGORIES)[number]> = {
  shoes: "socks",
  socks: "shoes",
  jackets: "backpacks",
  backpacks: "tents",
  tents: "lamps",
  lamps: "tents",
};
const ADJECTIVES = ["Trail", "Summit", "Urban", "Alpine", "Coastal", "Forest", "Desert", "Glacier", "Canyon", "Meadow"];
const NOUNS: Record<(typeof CATEGORIES)[number], string> = {
  shoes: "Runner",
  socks: "Crew Sock",
  jackets: "Shell",
  backpacks: "Pack",
  tents: "Dome",
  lamps: "Lantern",
};
const TAGS = ["waterproof", "lightweight", "recycled", "sale", "new", "bestseller", "kids", "winter"];

export function demoCatalog(opts: { seed?: number; itemsPerCategory?: number } = {}): DemoItem[] {
  const rand = seededRandom((opts.seed ?? 7) ^ 0x9e3779b9);
  const perCategory = opts.itemsPerCategory ?? 20;
  const items: DemoItem[] = [];
  for (const cat of CATEGORIES) {
    for (let n = 1; n <= perCategory; n++) {
      const id = `${cat}-${String(n).padStart(3, "0")}`;
      const tags = TAGS.filter(() => rand() < 0.25);
      items.push({
        id,
        title: `${pick(rand, ADJECTIVES)} ${NOUNS[cat]} ${n}`,
        url: `/demo/p/${id}`,
        image: `/demo/img/${id}.svg`,
        categories: [cat],
        tags,
        attributes: { price: Math.round((10 + rand() * 190) * 100) / 100 },
        available: rand() > 0.05,
      });
    }
  }
  return items;
}

/**
 * Events in time order. Each visitor has a favourite category; in a session they mostly walk a category's chain
 * (item n → n+1), sometimes hop to the companion category, sometimes jump at random, so sequential models have
 * real structure to find and popularity alone does not explain it.
 */
export function demoEvents(opts: GeneratorOptions): DemoEvent[] {
  const rand = seededRandom(opts.seed ?? 7);
  const perCategory = opts.itemsPerCategory ?? 20;
  const visitors = opts.visitors ?? 300;
  const spanMs = (opts.days ?? 7) * 86_400_000;
  const start = opts.now - spanMs;
  const events: DemoEvent[] = [];
  const itemId = (cat: string, n: number) => `${cat}-${String((((n - 1) % perCategory) + perCategory) % perCategory + 1).padStart(3, "0")}`;

  for (let v = 0; v < visitors; v++) {
    const anonymousId = `demo-visitor-${seededUuid(rand)}`;
    const device = pick(rand, ["desktop", "mobile", "mobile", "tablet"] as const);
    const affinity = CATEGORIES.map(() => rand() ** 3);
    const userId = rand() < 0.3 ? `demo-user-${v}` : undefined;
    const sessions = 1 + Math.floor(rand() * 4);
    let t = start + rand() * (spanMs * 0.6);
    for (let s = 0; s < sessions; s++) {
      const sessionId = seededUuid(rand);
      let cat = CATEGORIES[pickWeighted(rand, affinity)]!;
      let n = 1 + Math.floor(rand() * perCategory);
      const length = 2 + Math.floor(-Math.log(1 - rand()) * 5);
      const known = userId !== undefined && s > 0 ? userId : undefined;
      if (userId !== undefined && s === 1) {
        events.push({ id: seededUuid(rand), type: "identify", anonymousId, userId, sessionId, ts: Math.round(t), context: { device } });
      }
      for (let step = 0; step < length; step++) {
        t += 5_000 + rand() * 90_000;
        const id = itemId(cat, n);
        events.push({ id: seededUuid(rand), type: "view", anonymousId, userId: known, sessionId, itemId: id, ts: Math.round(t), context: { device, url: `/demo/p/${id}` } });
        if (rand() < 0.1) {
          t += 2_000 + rand() * 20_000;
          events.push({ id: seededUuid(rand), type: "add_to_cart", anonymousId, userId: known, sessionId, itemId: id, ts: Math.round(t), context: { device } });
          if (rand() < 0.4) {
            t += 10_000 + rand() * 60_000;
            events.push({ id: seededUuid(rand), type: "purchase", anonymousId, userId: known, sessionId, itemId: id, ts: Math.round(t), context: { device } });
          }
        }
        const r = rand();
        if (r < 0.6) n += 1;
        else if (r < 0.8) cat = COMPANION[cat];
        else n = 1 + Math.floor(rand() * perCategory);
      }
      t += 3_600_000 + rand() * 86_400_000;
      if (t > opts.now - 60_000) break;
    }
  }
  for (const e of events) if (e.userId === undefined) delete e.userId;
  // The last session of a busy visitor can run past `now`; the API would reject those, so they are not generated.
  return events.filter((e) => e.ts <= opts.now).sort((a, b) => a.ts - b.ts);
}

/**
 * The planted segments of demoPlantedEvents: each persona fixes device, UTC hours, days of the week, locale,
 * categories, visit count and length, and how often a view turns into a cart and a purchase.
 */
export const PLANTED_PERSONAS = [
  { name: "night-time mobile jacket browsers", device: "mobile", hours: [22, 23, 0, 1], days: [0, 1, 2, 3, 4, 5, 6], locale: "en-GB", cats: ["jackets", "backpacks"], visits: [2, 4], views: [3, 6], cart: 0.03, buy: 0.2 },
  { name: "weekday desktop shoe buyers", device: "desktop", hours: [9, 10, 11, 13, 14, 15], days: [1, 2, 3, 4, 5], locale: "de-DE", cats: ["shoes", "socks"], visits: [3, 6], views: [8, 14], cart: 0.3, buy: 0.7 },
  { name: "weekend tablet campers", device: "tablet", hours: [13, 14, 15, 16, 17], days: [0, 6], locale: "fr-FR", cats: ["tents", "lamps"], visits: [1, 3], views: [5, 9], cart: 0.12, buy: 0.5 },
  { name: "morning mobile sock regulars", device: "mobile", hours: [6, 7, 8], days: [1, 2, 3, 4, 5], locale: "en-US", cats: ["socks", "shoes"], visits: [5, 8], views: [2, 4], cart: 0.08, buy: 0.5 },
] as const;

/**
 * Visitors drawn from PLANTED_PERSONAS (ground truth for the segments evaluation), in time order, plus each
 * visitor's persona. Separate from demoEvents, so the demo seed and its tests are unchanged.
 */
export function demoPlantedEvents(opts: GeneratorOptions): { events: DemoEvent[]; truth: Map<string, string> } {
  const rand = seededRandom((opts.seed ?? 7) ^ 0x51ed27);
  const perCategory = opts.itemsPerCategory ?? 20;
  const visitors = opts.visitors ?? 400;
  const days = opts.days ?? 14;
  const dayStart = Math.floor(opts.now / 86_400_000) * 86_400_000 - days * 86_400_000;
  const events: DemoEvent[] = [];
  const truth = new Map<string, string>();
  const between = (r: readonly [number, number]) => r[0] + Math.floor(rand() * (r[1] - r[0] + 1));
  for (let v = 0; v < visitors; v++) {
    const persona = PLANTED_PERSONAS[Math.floor(rand() * PLANTED_PERSONAS.length)]!;
    const anonymousId = `demo-planted-${seededUuid(rand)}`;
    truth.set(anonymousId, persona.name);
    const visits = between(persona.visits);
    for (let s = 0; s < visits; s++) {
      // A day of the persona's weekdays (1970-01-01 was a Thursday), then one of its hours, in UTC.
      let day = Math.floor(rand() * days);
      for (let tries = 0; tries < 14 && !(persona.days as readonly number[]).includes((Math.floor(dayStart / 86_400_000) + day + 4) % 7); tries++) day = (day + 1) % days;
      let t = dayStart + day * 86_400_000 + pick(rand, persona.hours) * 3_600_000 + rand() * 1_800_000;
      const sessionId = seededUuid(rand);
      let n = 1 + Math.floor(rand() * perCategory);
      const cat = rand() < 0.85 ? persona.cats[0] : persona.cats[1];
      const context = { device: persona.device, locale: persona.locale };
      const views = between(persona.views);
      for (let step = 0; step < views; step++) {
        const id = `${cat}-${String(((n - 1) % perCategory) + 1).padStart(3, "0")}`;
        events.push({ id: seededUuid(rand), type: "view", anonymousId, sessionId, itemId: id, ts: Math.round(t), context: { ...context, url: `/demo/p/${id}` } });
        if (rand() < persona.cart) {
          t += 5_000 + rand() * 20_000;
          events.push({ id: seededUuid(rand), type: "add_to_cart", anonymousId, sessionId, itemId: id, ts: Math.round(t), context });
          if (rand() < persona.buy) {
            t += 10_000 + rand() * 40_000;
            events.push({ id: seededUuid(rand), type: "purchase", anonymousId, sessionId, itemId: id, ts: Math.round(t), context });
          }
        }
        t += 20_000 + rand() * 100_000;
        n += 1;
      }
    }
  }
  return { events: events.filter((e) => e.ts <= opts.now).sort((a, b) => a.ts - b.ts), truth };
}
