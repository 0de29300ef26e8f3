import { describe, expect, it } from "vitest";
import { MAX_BATCH_EVENTS, MAX_EVENT_BYTES, MAX_FUTURE_SKEW_MS } from "../../../src/config/limits";
import { validateBatch } from "../../../src/ingest/validate-batch";
import { ApiError } from "../../../src/lib/errors";

const NOW = 1_800_000_000_000;
const ev = (o: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(),
  type: "view",
  anonymousId: "a",
  sessionId: "s",
  itemId: "i",
  ts: NOW - 1000,
  ...o,
});

describe("validateBatch", () => {
  it("splits valid and invalid events, naming index and field", () => {
    const good = ev();
    const out = validateBatch({ events: [good, ev({ type: "x" }), ev({ context: { screen: { width: -1, height: 2 } } })] }, NOW);
    expect(out.accepted).toEqual([good.id]);
    expect(out.rejected.map((r) => [r.index, r.field, r.code])).toEqual([
      [1, "type", "invalid"],
      [2, "context.screen.width", "invalid"],
    ]);
  });

  it("bounds time: a little skew is fine, far future and far past are not", () => {
    const out = validateBatch(
      { events: [ev({ ts: NOW + MAX_FUTURE_SKEW_MS - 1 }), ev({ ts: NOW + MAX_FUTURE_SKEW_MS + 1 }), ev({ ts: NOW - 40 * 86_400_000 })] },
      NOW,
    );
    expect(out.accepted).toHaveLength(1);
    expect(out.rejected.map((r) => r.field)).toEqual(["ts", "ts"]);
  });

  it("counts an id repeated in one batch once", () => {
    const e = ev();
    const out = validateBatch({ events: [e, { ...e }] }, NOW);
    expect(out.events).toHaveLength(1);
    expect(out.accepted).toEqual([e.id]);
  });

  it("drops unknown context keys such as ip", () => {
    const out = validateBatch({ events: [ev({ context: { ip: "198.51.100.1", url: "https://x.example/" } })] }, NOW);
    expect(out.events[0]!.context).toEqual({ url: "https://x.example/" });
  });

  it("rejects an oversized event on its own", () => {
    const out = validateBatch({ events: [ev({ properties: { p: "x".repeat(MAX_EVENT_BYTES) } }), ev()] }, NOW);
    expect(out.rejected).toEqual([expect.objectContaining({ index: 0, field: "(event)", code: "too_large" })]);
    expect(out.accepted).toHaveLength(1);
  });

  it("throws 413 above the event count and 400 on a bad envelope", () => {
    const tooMany = () => validateBatch({ events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ev()) }, NOW);
    expect(tooMany).toThrowError(ApiError);
    try {
      tooMany();
    } catch (e) {
      expect((e as ApiError).status).toBe(413);
    }
    for (const body of [null, [], { events: "x" }, { events: [] }]) {
      try {
        validateBatch(body, NOW);
        expect.unreachable();
      } catch (e) {
        expect((e as ApiError).status).toBe(400);
        expect((e as ApiError).issues?.[0]?.path).toMatch(/^(events|\(body\))$/);
      }
    }
  });

  it("requires itemId for item events and userId for identify", () => {
    const out = validateBatch({ events: [ev({ type: "like", itemId: undefined }), ev({ type: "identify" })] }, NOW);
    expect(out.rejected.map((r) => r.field)).toEqual(["itemId", "userId"]);
  });
});
