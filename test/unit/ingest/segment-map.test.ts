import { describe, expect, it } from "vitest";
import { correctedTime, mapMessage, mappingOf, messageEventId, SEGMENT_EVENT_MAP } from "../../../src/ingest/segment-map";
import { EVENT_TYPES } from "../../../src/schemas/event-types";
import { segmentMessageSchema } from "../../../src/schemas/segment";

describe("segment mapping table", () => {
  it("maps the e-commerce spec names case-insensitively, and anything else to custom", () => {
    expect(mappingOf({ type: "track", event: "Product Viewed" })).toEqual({ type: "view", items: "single" });
    expect(mappingOf({ type: "track", event: "order completed" })).toEqual({ type: "purchase", items: "products" });
    expect(mappingOf({ type: "track", event: "Product Added to Wishlist" }).type).toBe("like");
    expect(mappingOf({ type: "track", event: "Signed Up" }).type).toBe("custom");
    expect(mappingOf({ type: "page" }).type).toBe("view");
    expect(mappingOf({ type: "screen" }).type).toBe("view");
    expect(mappingOf({ type: "identify", userId: "u" }).type).toBe("identify");
    expect(mappingOf({ type: "identify" }).type).toBe("custom");
    for (const m of Object.values(SEGMENT_EVENT_MAP)) expect(EVENT_TYPES).toContain(m.type);
  });
});

describe("messageEventId", () => {
  it("is a stable UUIDv5 per (site, messageId, part)", async () => {
    const id = await messageEventId("site-a", "node-next-1733050000000-abc");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await messageEventId("site-a", "node-next-1733050000000-abc")).toBe(id);
    expect(await messageEventId("site-b", "node-next-1733050000000-abc")).not.toBe(id);
    expect(await messageEventId("site-a", "node-next-1733050000000-abc", 0)).not.toBe(id);
    // The JSON form keeps the parts apart: ("a:b", "c") is not ("a", "b:c").
    expect(await messageEventId("a:b", "c")).not.toBe(await messageEventId("a", "b:c"));
  });
});

describe("correctedTime", () => {
  const received = Date.parse("2026-12-01T12:00:00.000Z");
  it("moves the client time by receivedAt - sentAt", () => {
    expect(correctedTime({ timestamp: "2026-12-01T10:59:55.000Z", sentAt: "2026-12-01T11:00:00.000Z" }, undefined, received)).toBe(received - 5000);
    expect(correctedTime({ originalTimestamp: "2026-12-01T10:59:55.000Z", timestamp: "2000-01-01T00:00:00Z" }, "2026-12-01T11:00:00.000Z", received)).toBe(received - 5000);
  });
  it("uses the time as sent without sentAt, and the receipt time without any", () => {
    expect(correctedTime({ timestamp: "2026-12-01T11:00:00+01:00" }, undefined, received)).toBe(Date.parse("2026-12-01T10:00:00Z"));
    expect(correctedTime({}, undefined, received)).toBe(received);
  });
});

describe("mapMessage", () => {
  const opts = { siteId: "s", receivedAt: Date.now() };
  const parse = (m: unknown) => segmentMessageSchema.parse(m);

  it("expands an order into one purchase per product, keeping flat order and product values", async () => {
    const raw = { type: "track", event: "Order Completed", messageId: "m1", anonymousId: "a", properties: { order_id: "o", coupon: { nested: 1 }, products: [{ product_id: "p1", price: 3 }, { sku: 7 }] } };
    const mapped = await mapMessage(parse(raw), raw, opts);
    if (!("events" in mapped)) throw new Error(mapped.message);
    expect(mapped.events.map((e) => [e.type, e.itemId, e.properties])).toEqual([
      ["purchase", "p1", { event: "Order Completed", order_id: "o", product_id: "p1", price: 3 }],
      ["purchase", "7", { event: "Order Completed", order_id: "o", sku: 7 }],
    ]);
    expect(new Set(mapped.events.map((e) => e.id)).size).toBe(2);
    expect(mapped.deriveSession).toBe(true);
  });

  it("hashes a message without messageId, so an identical retry is the same event", async () => {
    const raw = { type: "page", anonymousId: "a", timestamp: new Date().toISOString() };
    const a = await mapMessage(parse(raw), raw, opts);
    const b = await mapMessage(parse(raw), structuredClone(raw), opts);
    if (!("events" in a) || !("events" in b)) throw new Error("unmapped");
    expect(a.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.events[0]!.id).toBe(a.events[0]!.id);
  });

  it("names the Segment field of a bad product id", async () => {
    const raw = { type: "track", event: "Product Clicked", anonymousId: "a", properties: { product_id: "x\u0001" } };
    expect(await mapMessage(parse(raw), raw, opts)).toEqual({ field: "properties.product_id", message: "must not contain control characters" });
  });
});
