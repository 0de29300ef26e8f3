// Issue 9 part 4, the Worker's half: the retrain's per-category trending and segment favourites, computed from D1,
// equal what the evaluation's code computes from the same events in memory (each visitor's rows in the order they
// were sent, the shared SegmentFavourites and trendingByCategory). test/unit/eval/one-trending.test.ts covers the
// trending query itself on D1 and node:sqlite.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { trainPersonal } from "../../src/models/train-personal";
import { normalised, trendingList } from "../../src/models/trending-refresh";
import { SegmentFavourites } from "../../src/recommend/segment-favourites";
import { assignSegment, NEW_VISITOR_SEGMENT } from "../../src/recommend/segments";
import { trendingByCategory } from "../../src/recommend/trending";
import { ITEM_CF_WEIGHTS, type EventType } from "../../src/schemas/event-types";
import { profileSummaries } from "../../src/storage/personal-repo";
import { createSite, event, postEvents, putItems, serverHeaders } from "./helpers";

const HOUR = 3_600_000;
type Sent = { anonymousId: string; itemId: string; type: EventType; ts: number };

describe("one segment-favourites and per-category trending", () => {
  it("the retrain's lists from D1 equal the evaluation's computation over the same events", async () => {
    const site = await createSite();
    const categories = new Map<string, string[]>([
      ["boot", ["shoes"]],
      ["runner", ["shoes"]],
      ["sock", ["socks", "shoes"]],
      ["tent", ["tents"]],
      ["lamp", ["tents", "lamps"]],
      ["stove", ["tents"]],
    ]);
    await putItems(site, [...categories].map(([id, cats]) => ({ id, title: id, categories: cats, tags: [] })));
    const t0 = Date.now() - 5 * HOUR;
    const sent: Sent[] = [];
    const types: EventType[] = ["view", "click", "add_to_cart", "purchase", "like"];
    for (let v = 0; v < 16; v++) {
      const walk = v % 2 ? ["boot", "sock", "runner", "sock"] : ["tent", "lamp", "stove", "boot"];
      walk.forEach((itemId, i) => sent.push({ anonymousId: `fav-${v}`, itemId, type: types[(v + i) % types.length]!, ts: t0 + v * 1000 + i }));
    }
    // One visitor's ten purchases of a lamp count as one purchase in their segment's favourites.
    for (let i = 0; i < 10; i++) sent.push({ anonymousId: "fav-0", itemId: "lamp", type: "purchase", ts: t0 + 100 + i });
    const res = await postEvents(
      site,
      sent.map((e) => event({ ...e, sessionId: `s-${e.anonymousId}`, context: { device: e.anonymousId.endsWith("1") ? "mobile" : "desktop" } })),
      { headers: serverHeaders(site) },
    );
    expect(res.status).toBe(200);

    const now = Date.now();
    const trending = normalised(await trendingList(env.DB, site.id, now));
    const { data } = await trainPersonal(env.DB, site.id, now, trending, () => {});

    expect(data.trendingByCategory).toEqual(trendingByCategory(trending, (id) => categories.get(id)));
    expect(Object.keys(data.trendingByCategory).sort()).toEqual(["lamps", "shoes", "socks", "tents"]);

    // The evaluation's side: segment of each visitor from the served model, rows per visitor in sending order.
    const model = data.segments;
    expect(model).not.toBeNull();
    const { results } = await env.DB.prepare("SELECT DISTINCT anonymous_id, profile_id FROM events WHERE site_id = ?1")
      .bind(site.id)
      .all<{ anonymous_id: string; profile_id: string }>();
    const profileOf = new Map(results.map((r) => [r.anonymous_id, r.profile_id]));
    const segmentOf = new Map<string, number>();
    for (const s of await profileSummaries(env.DB, site.id, [...profileOf.values()])) {
      const id = assignSegment(s, model!, now);
      if (id !== null && id !== NEW_VISITOR_SEGMENT) segmentOf.set(s.profileId, id);
    }
    const favourites = new SegmentFavourites(segmentOf, model!.nextId);
    const uncapped = new SegmentFavourites(segmentOf, model!.nextId, ITEM_CF_WEIGHTS, Infinity);
    const byVisitor = new Map<string, Sent[]>();
    for (const e of sent) byVisitor.set(e.anonymousId, [...(byVisitor.get(e.anonymousId) ?? []), e]);
    for (const [anon, rows] of byVisitor) {
      for (const e of rows) {
        favourites.push(profileOf.get(anon)!, e.itemId, e.type);
        uncapped.push(profileOf.get(anon)!, e.itemId, e.type);
      }
    }
    expect(data.segmentPopular).toEqual(favourites.lists());
    expect(data.segmentPopular.flat().length).toBeGreaterThan(0);
    // The per-visitor cap is part of what they share: without it the hoarded lamp leads its segment by far.
    const hoarderSegment = uncapped.lists()[segmentOf.get(profileOf.get("fav-0")!)!]!;
    expect(hoarderSegment[0]!.itemId).toBe("lamp");
    expect(hoarderSegment[1]!.score).toBeLessThan(0.5);
    expect(uncapped.lists()).not.toEqual(data.segmentPopular);
  });
});
