// Exposure and attribution (issue 10 parts 1-2): served lists carry exposure tokens, ingest rolls impressions,
// clicks and attributed carts and purchases up per (day, slot, variant, model), and GET /admin/metrics reads them.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ATTRIBUTION_WINDOW_MS } from "../../src/config/limits";
import { decodeExposure, exposureDay } from "../../src/recommend/exposure";
import type { MetricsRow } from "../../src/storage/rollups-repo";
import { ADMIN, BASE, createSite, event, get, postEvents, waitForSegmentIngest, type ErrorJson, type TestSite } from "./helpers";

type Metrics = { site: string; from: string; to: string; rows: MetricsRow[] };

async function serve(site: TestSite, path: string): Promise<string> {
  const res = await get(path, { "x-edgerec-key": site.key });
  expect(res.status).toBe(200);
  return (await res.json<{ recommendationId: string }>()).recommendationId;
}

async function metrics(site: TestSite, day: string, extra = ""): Promise<MetricsRow[]> {
  const res = await get(`/admin/metrics?site=${site.id}&from=${day}&to=${day}${extra}`, ADMIN);
  expect(res.status).toBe(200);
  return (await res.json<Metrics>()).rows;
}

async function accepted(site: TestSite, events: Record<string, unknown>[]): Promise<void> {
  const res = await postEvents(site, events);
  expect(res.status).toBe(200);
  expect((await res.json<{ accepted: string[] }>()).accepted).toHaveLength(events.length);
}

describe("exposure ids", () => {
  it("every list route serves an exposure token naming its slot", async () => {
    const site = await createSite();
    const home = decodeExposure(await serve(site, "/v1/recommendations?slot=home&k=3"));
    expect(home).toMatchObject({ slot: "home", variant: "none", modelVersion: null });
    expect(Math.abs(home!.servedAt - Date.now() / 1000)).toBeLessThan(60);
    expect(decodeExposure(await serve(site, "/v1/sessions/sess-x/next?k=3"))?.slot).toBe("next");
    expect(decodeExposure(await serve(site, "/v1/items/sku-1/similar?k=3"))?.slot).toBe("similar");
  });
});

describe("attribution rollups", () => {
  it("counts an impression, a click and the clicked item's cart and purchase once, even when retried", async () => {
    const site = await createSite();
    const recId = await serve(site, "/v1/recommendations?slot=home&k=3");
    const day = exposureDay(decodeExposure(recId)!);
    const t = Date.now() - 60_000;
    const ctx = { recommendationId: recId, slot: "home" };
    const batch = [
      event({ type: "impression", itemId: "a", ts: t, context: ctx }),
      event({ type: "impression", itemId: "b", ts: t, context: ctx }),
      event({ type: "click", itemId: "a", ts: t + 1000, context: ctx }),
      event({ type: "add_to_cart", itemId: "a", ts: t + 2000 }),
      event({ type: "purchase", itemId: "a", ts: t + 3000, properties: { price: 12.5, quantity: 2 } }),
    ];
    await accepted(site, batch);
    const expected = {
      day,
      slot: "home",
      variant: "none",
      modelVersion: null,
      listsServed: 1,
      impressions: 2,
      clickedImpressions: 1,
      clicks: 1,
      carts: 1,
      purchases: 1,
      revenue: 25,
      revenueSq: 625,
      visitors: 1,
      ctr: 0.5,
      conversion: 1,
    };
    expect(await metrics(site, day)).toEqual([expected]);

    // The same batch again (a client retry): answered as duplicates, no event is inserted, so nothing is counted.
    const retry = await postEvents(site, batch);
    expect(await retry.json()).toMatchObject({ accepted: [], duplicates: batch.map((e) => e.id) });
    expect(await metrics(site, day)).toEqual([expected]);

    // A later batch: a second click on the same list is a click, not a newly clicked list; `revenue` stands in for
    // price × quantity.
    await accepted(site, [
      event({ type: "click", itemId: "b", ts: t + 4000, context: ctx }),
      event({ type: "purchase", itemId: "b", ts: t + 5000, properties: { revenue: 7 } }),
    ]);
    expect(await metrics(site, day, "&slot=home")).toEqual([{ ...expected, clicks: 2, purchases: 2, revenue: 32, revenueSq: 625 + 49, ctr: 1, conversion: 1 }]);
    expect(await metrics(site, day, "&slot=product")).toEqual([]);
  });

  it("does not attribute purchases outside the window, of items not clicked, or by another visitor", async () => {
    const site = await createSite();
    const recId = await serve(site, "/v1/recommendations?slot=product&k=3");
    const day = exposureDay(decodeExposure(recId)!);
    const clickAt = Date.now() - ATTRIBUTION_WINDOW_MS - 3_600_000;
    const ctx = { recommendationId: recId, slot: "product" };
    await accepted(site, [
      event({ type: "impression", itemId: "a", ts: clickAt - 1000, context: ctx }),
      event({ type: "click", itemId: "a", ts: clickAt, context: ctx }),
      event({ type: "click", itemId: "c", ts: Date.now() - 60_000, context: ctx }),
    ]);
    await accepted(site, [
      // The window has passed for a; b was never clicked.
      event({ type: "purchase", itemId: "a", ts: Date.now() - 1000, properties: { price: 10 } }),
      event({ type: "purchase", itemId: "b", ts: Date.now() - 1000, properties: { price: 10 } }),
      // c was clicked by anon-1, not by this visitor.
      event({ type: "purchase", itemId: "c", anonymousId: "anon-2", sessionId: "sess-2", ts: Date.now() - 1000, properties: { price: 10 } }),
      // A click without an exposure token (an old UUID id) is no recommended click.
      event({ type: "click", itemId: "d", ts: Date.now() - 2000, context: { recommendationId: crypto.randomUUID() } }),
      event({ type: "purchase", itemId: "d", ts: Date.now() - 1000, properties: { price: 10 } }),
    ]);
    const rows = await metrics(site, day);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ impressions: 1, clicks: 2, clickedImpressions: 1, carts: 0, purchases: 0, revenue: 0 });
  });
});

describe("attribution through the Segment routes (the same ingest path)", () => {
  it("attributes an Order Completed product to the list its Product Clicked came from", async () => {
    const site = await createSite();
    const recId = await serve(site, "/v1/recommendations?slot=cart&k=3");
    const day = exposureDay(decodeExposure(recId)!);
    const at = (s: number) => new Date(Date.now() - 60_000 + s * 1000).toISOString();
    const m = (fields: Record<string, unknown>) => ({ messageId: `m-${crypto.randomUUID()}`, anonymousId: "seg-1", ...fields });
    const res = await exports.default.fetch(`${BASE}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${btoa(`${site.serverKey}:`)}` },
      body: JSON.stringify({
        batch: [
          m({ type: "track", event: "Product Clicked", timestamp: at(1), properties: { product_id: "a", recommendation_id: recId, slot: "cart" } }),
          m({ type: "track", event: "Order Completed", timestamp: at(2), properties: { order_id: "o-1", products: [{ product_id: "a", price: 4, quantity: 3 }, { product_id: "z", price: 9 }] } }),
        ],
      }),
    });
    expect(res.status).toBe(200);
    await waitForSegmentIngest(site.id, await res.json());
    expect(await metrics(site, day)).toEqual([
      expect.objectContaining({ slot: "cart", impressions: 0, listsServed: 0, clicks: 1, clickedImpressions: 1, purchases: 1, revenue: 12, ctr: null, conversion: 1 }),
    ]);
  });
});

describe("GET /admin/metrics", () => {
  it("names the field at fault", async () => {
    const site = await createSite();
    const cases: [string, string][] = [
      [`site=${site.id}&from=2026-13-01&to=2026-12-01`, "from"],
      [`site=${site.id}&from=2026-02-30&to=2026-03-01`, "from"],
      [`site=${site.id}&from=yesterday&to=2026-12-01`, "from"],
      [`site=${site.id}&from=2026-12-02&to=2026-12-01`, "from"],
      [`site=${site.id}&from=2026-01-01&to=2026-04-03`, "to"],
      [`site=${site.id}&from=2026-01-01`, "to"],
      [`site=${site.id}&from=2026-01-01&to=2026-01-02&slot=Bad Slot`, "slot"],
      [`site=${site.id}&from=2026-01-01&to=2026-01-02&limt=5`, "limt"],
      [`from=2026-01-01&to=2026-01-02`, "site"],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/admin/metrics?${query}`, ADMIN);
      expect(res.status, query).toBe(400);
      expect((await res.json<ErrorJson>()).error.issues?.[0]?.path, query).toBe(field);
    }
    // 92 days inclusive is the limit, not above it.
    expect((await get(`/admin/metrics?site=${site.id}&from=2026-01-01&to=2026-04-02`, ADMIN)).status).toBe(200);
  });

  it("answers 404 for an unknown site and 401 without the admin token", async () => {
    const site = await createSite();
    expect((await get(`/admin/metrics?site=s-nope&from=2026-01-01&to=2026-01-02`, ADMIN)).status).toBe(404);
    expect((await get(`/admin/metrics?site=${site.id}&from=2026-01-01&to=2026-01-02`)).status).toBe(401);
  });
});
