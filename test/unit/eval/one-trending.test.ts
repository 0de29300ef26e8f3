// Issue 9 part 4: the Worker and the evaluation compute trending, trending per category and segment favourites by
// one implementation. The Worker's side runs on Miniflare's D1 (workerd's SQLite, as in production); the
// evaluation's on node:sqlite; the same small event set must give identical lists.
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, type BenchDb } from "../../../bench/miniflare";
import { evalTrendingWindow, train } from "../../../scripts/eval/protocol-users";
import type { UserHistory } from "../../../scripts/eval/read-users";
import { trendingOfEvents, type EvalEvent } from "../../../scripts/eval/trending-db";
import { seededRandom } from "../../../src/recommend/random";
import { SegmentFavourites } from "../../../src/recommend/segment-favourites";
import { normalised, trendingByCategory } from "../../../src/recommend/trending";
import type { EventType } from "../../../src/schemas/event-types";
import { TRENDING_WINDOW, trendingItems } from "../../../src/storage/trending-sql";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 10);

let mf: Miniflare;
let d1: BenchDb;

beforeAll(async () => {
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: "export default { fetch() { return new Response(null, { status: 404 }); } };",
      compatibilityDate: "2026-08-01",
      cf: false,
      d1Databases: { DB: "one-trending" },
    }),
  );
  d1 = await mf.getD1Database("DB");
  await applyMigrations(d1);
}, 60_000);

afterAll(() => mf?.dispose());

/** Stores events as ingest does, with received_at = ts (the evaluation has no separate arrival clock). */
async function store(site: string, events: readonly EvalEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const chunk = events.slice(i, i + 500).map((e, j) => [`e${i + j}`, e.type, e.profileId, e.itemId, e.ts]);
    await d1
      .prepare(
        `INSERT INTO events (site_id, id, type, anonymous_id, session_id, item_id, profile_id, ts, received_at)
         SELECT ?1, value->>0, value->>1, value->>2, value->>2, value->>3, value->>2, value->>4, value->>4 FROM json_each(?2)`,
      )
      .bind(site, JSON.stringify(chunk))
      .run();
  }
}

/** A shop's week: established visitors of every path type, one hoarder, a burst of new ids, old and non-path rows. */
function shopWeek(): EvalEvent[] {
  const rnd = seededRandom(9);
  const types: EventType[] = ["view", "view", "view", "click", "add_to_cart", "purchase", "like", "share", "dwell"];
  const out: EvalEvent[] = [];
  for (let v = 0; v < 40; v++) {
    for (let n = 0; n < 12; n++) {
      out.push({ profileId: `v${v}`, itemId: `i${Math.floor(rnd() * rnd() * 25)}`, ts: NOW - 2 * DAY - Math.floor(rnd() * 5 * DAY), type: types[Math.floor(rnd() * types.length)]! });
    }
  }
  for (let n = 0; n < 40; n++) out.push({ profileId: "hoarder", itemId: "hoarded", ts: NOW - 3 * DAY - n * 1000, type: "purchase" });
  for (let b = 0; b < 30; b++) out.push({ profileId: `bot${b}`, itemId: "burst", ts: NOW - 3_600_000 - b * 1000, type: "purchase" });
  for (let n = 0; n < 50; n++) out.push({ profileId: `v${n % 40}`, itemId: "last-month", ts: NOW - 30 * DAY, type: "purchase" });
  for (let n = 0; n < 50; n++) out.push({ profileId: `v${n % 40}`, itemId: "impressed", ts: NOW - DAY, type: "impression" });
  return out;
}

describe("one trending", () => {
  it("the Worker's query on D1 and the evaluation's on node:sqlite give the same list, caps and damping included", async () => {
    const events = shopWeek();
    await store("shop", events);
    const worker = await trendingItems(d1, "shop", NOW, TRENDING_WINDOW);
    const evaluation = trendingOfEvents(events, NOW, TRENDING_WINDOW);
    expect(evaluation).toEqual(worker);
    const ids = worker.map((t) => t.itemId);
    expect(ids.length).toBeGreaterThan(10);
    expect(ids).not.toContain("last-month"); // outside the 7-day window
    expect(ids).not.toContain("impressed"); // not a path type
    // One visitor's 40 purchases (each 5 / (1 + 3 days / 1 day), 50 in all) count as at most one purchase.
    expect(worker.find((t) => t.itemId === "hoarded")!.score).toBe(5);
    // 30 new ids' purchases (about 150) are damped to 50 + sqrt(100) or so.
    const burst = worker.find((t) => t.itemId === "burst")!.score;
    expect(burst).toBeGreaterThan(55);
    expect(burst).toBeLessThan(61);
  });

  it("protocol 2's trending, trending per category and segment favourites are the Worker's", async () => {
    const rnd = seededRandom(4);
    const cats = new Map<string, string[]>();
    for (let i = 0; i < 30; i++) cats.set(`m${i}`, i % 2 === 0 ? ["Action"] : i % 3 === 0 ? ["Drama", "Romance"] : ["Comedy"]);
    const base = NOW / 1000 - 3 * 365 * 86_400;
    const histories: UserHistory[] = Array.from({ length: 40 }, (_, u) => {
      // Half the users lean to even (Action) items, so segmentation finds more than one segment.
      const items = [...new Set(Array.from({ length: 12 }, () => `m${(Math.floor(rnd() * 15) * 2 + (u % 2 === 0 ? 0 : rnd() < 0.8 ? 1 : 0)) % 30}`))];
      const start = base + Math.floor(rnd() * 2 * 365 * 86_400);
      return { user: `u${u}`, items, times: items.map((_, i) => start + i * 3600 + Math.floor(rnd() * 1000)) };
    });
    const t = train(histories, cats, () => {});
    const now = Math.max(...histories.map((h) => h.times.at(-1)! * 1000));

    // The Worker: the rows in D1, the retrain's query with the evaluation's window, then the retrain's steps.
    const events = histories.flatMap((h) => h.items.map((itemId, i): EvalEvent => ({ profileId: h.user, itemId, ts: h.times[i]! * 1000, type: "view" })));
    await store("movies", events);
    const trending = normalised(await trendingItems(d1, "movies", now, evalTrendingWindow(histories, now)));
    expect(trending.length).toBeGreaterThan(20);
    expect(t.trending).toEqual(trending);
    const byCategory = trendingByCategory(trending, (id) => cats.get(id));
    expect(Object.keys(byCategory).sort()).toEqual(["Action", "Comedy", "Drama", "Romance"]);
    expect(t.trendingByCategory).toEqual(byCategory);

    // Segment favourites as train-personal streams them: history rows by (profile_id, ts, id), item-CF weights.
    expect(t.segmentPop.length).toBeGreaterThanOrEqual(2);
    const favourites = new SegmentFavourites(t.segmentOf, t.segmentPop.length);
    for (const e of [...events].sort((a, b) => (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : a.ts - b.ts))) favourites.push(e.profileId, e.itemId, e.type);
    expect(t.segmentPop).toEqual(favourites.lists());
  });
});
