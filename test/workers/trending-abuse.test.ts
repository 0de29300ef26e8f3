import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SERVER_BATCH_LIMITS, TRENDING_NEW_VISITOR_ITEM_THRESHOLD, TRENDING_VISITOR_ITEM_CAP } from "../../src/config/limits";
import { planBatches } from "../../src/ingest/cap-distinct";
import { TRENDING_WINDOW } from "../../src/models/trending-refresh";
import { trendingItems } from "../../src/storage/training-repo";
import { createSite, event, get, postEvents, putItems, serverHeaders, type TestSite } from "./helpers";

const DAY = 86_400_000;
type Recs = { items: { id: string; reason: { kind: string } }[] };

/**
 * Posts events in batches within the server key's caps; every event must be accepted. Bulk through the server key
 * keeps the test fast: through the public key the same attack is held to MAX_BATCH_VISITORS invented ids per
 * request and the rate limits (see hardening.test.ts and rate-limit.test.ts), and trending must hold either way.
 */
async function postAll(site: TestSite, events: Record<string, unknown>[]): Promise<void> {
  for (const batch of planBatches(events as { sessionId: string; anonymousId: string }[], SERVER_BATCH_LIMITS)) {
    const res = await postEvents(site, batch, { headers: serverHeaders(site) });
    expect(res.status).toBe(200);
    expect((await res.json<{ accepted: string[] }>()).accepted).toHaveLength(batch.length);
  }
}

/** `at`: the time trending is computed for (scores decay with the events' age). */
async function trending(site: TestSite, at = Date.now()): Promise<Map<string, number>> {
  const rows = await trendingItems(env.DB, site.id, at, TRENDING_WINDOW);
  return new Map(rows.map((r) => [r.itemId, r.score]));
}

describe("trending: one visitor's volume is capped", () => {
  it("1,000 purchases of one item by one anonymous id rank below items bought by several visitors", async () => {
    const site = await createSite();
    // Lists serve catalogued items only (allowUncatalogued defaults to false).
    await putItems(site, ["good-a", "good-b", "spam"].map((id) => ({ id, title: id })));
    const now = Date.now() - 1000;
    await postAll(site, Array.from({ length: 1000 }, (_, i) => event({ type: "purchase", anonymousId: "hoarder", sessionId: "h", itemId: "spam", ts: now - i })));
    await postAll(site, [
      ...["a1", "a2", "a3"].map((v) => event({ type: "purchase", anonymousId: v, sessionId: v, itemId: "good-a", ts: now })),
      ...["b1", "b2"].map((v) => event({ type: "purchase", anonymousId: v, sessionId: v, itemId: "good-b", ts: now })),
    ]);

    const scores = await trending(site);
    expect([...scores.keys()]).toEqual(["good-a", "good-b", "spam"]);
    expect(scores.get("spam")).toBeCloseTo(TRENDING_VISITOR_ITEM_CAP, 3);
    // The no-model fallback serves the same list.
    const recs = await (await get(`/v1/recommendations?k=3`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(recs.items.map((i) => i.id)).toEqual(["good-a", "good-b", "spam"]);
  });
});

describe("trending: bursts of new visitors are damped", () => {
  it("1,000 invented anonymous ids buying one item stay behind steady purchases of established visitors", async () => {
    const site = await createSite();
    const now = Date.now() - 1000;
    // 30 established visitors: known for three days (their first events arrived then), each buys "steady" today.
    const history = Array.from({ length: 30 }, (_, i) => event({ anonymousId: `est-${i}`, sessionId: `old-${i % 5}`, itemId: "steady", ts: now - 3 * DAY }));
    await postAll(site, history);
    // The API stamps arrival with the server clock; move these rows' arrival back to their event time.
    await env.DB.prepare("UPDATE events SET received_at = ts WHERE site_id = ?1 AND ts < ?2").bind(site.id, now - 2 * DAY).run();
    await postAll(site, Array.from({ length: 30 }, (_, i) => event({ type: "purchase", anonymousId: `est-${i}`, sessionId: `new-${i % 5}`, itemId: "steady", ts: now })));

    // The burst: 1,000 fresh ids, a purchase each, plus a view backdated six days that makes their profiles'
    // first_seen look established (event times are the client's word; arrival is not).
    const burst = Array.from({ length: 1000 }, (_, i) => [
      event({ anonymousId: `bot-${i}`, sessionId: `bots-${i % 10}`, itemId: "burst", ts: now - 6 * DAY }),
      event({ type: "purchase", anonymousId: `bot-${i}`, sessionId: `bots-${i % 10}`, itemId: "burst", ts: now }),
    ]).flat();
    await postAll(site, burst);
    const spoofed = await env.DB.prepare("SELECT MAX(first_seen) AS newest FROM profiles WHERE site_id = ?1 AND id IN (SELECT profile_id FROM events WHERE site_id = ?1 AND anonymous_id LIKE 'bot-%')")
      .bind(site.id)
      .first<{ newest: number }>();
    expect(spoofed!.newest).toBeLessThan(now - 5 * DAY);

    const scores = await trending(site);
    expect([...scores.keys()]).toEqual(["steady", "burst"]);
    // Undamped, the burst would score about 1,000 purchases' worth; damped, the threshold plus a square root.
    const fresh = 1000 * TRENDING_VISITOR_ITEM_CAP;
    expect(scores.get("burst")).toBeLessThan(TRENDING_NEW_VISITOR_ITEM_THRESHOLD + Math.sqrt(fresh - TRENDING_NEW_VISITOR_ITEM_THRESHOLD) + 0.01);
    expect(scores.get("burst")).toBeGreaterThan(TRENDING_NEW_VISITOR_ITEM_THRESHOLD);
    expect(scores.get("steady")).toBeGreaterThan(29 * TRENDING_VISITOR_ITEM_CAP);
  });

  it("keeps the order of items that only new visitors saw (a new site)", async () => {
    const site = await createSite();
    const now = Date.now() - 1000;
    const buyers = (item: string, n: number) =>
      Array.from({ length: n }, (_, i) => event({ type: "purchase", anonymousId: `${item}-${i}`, sessionId: `${item}-s${i % 3}`, itemId: item, ts: now }));
    await postAll(site, [...buyers("big", 40), ...buyers("mid", 20), ...buyers("small", 4)]);
    // Computed a second after the events, however long the ingest queue took to store them: no decay to speak of.
    const scores = await trending(site, now + 1000);
    expect([...scores.keys()]).toEqual(["big", "mid", "small"]);
    // Below the threshold nothing is damped.
    expect(scores.get("small")).toBeCloseTo(4 * TRENDING_VISITOR_ITEM_CAP, 3);
  });
});
