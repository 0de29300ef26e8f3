import { describe, expect, it } from "vitest";
import { capBatch, planBatches } from "../../../src/ingest/cap-distinct";
import type { ValidatedBatch } from "../../../src/ingest/validate-batch";
import type { IngestEvent } from "../../../src/schemas/events";

const ev = (i: number, sessions: number, visitors: number): IngestEvent => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  type: "view",
  anonymousId: `v${i % visitors}`,
  sessionId: `s${i % sessions}`,
  itemId: "x",
  ts: 1_000 + i,
});

describe("planBatches", () => {
  it("splits events into batches that the caps accept whole, keeping every event once and in order", () => {
    const limits = { events: 50, sessions: 7, visitors: 3 };
    const events = Array.from({ length: 400 }, (_, i) => ev(i, 23, 11));
    const batches = planBatches(events, limits);
    expect(batches.flat()).toEqual(events);
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(limits.events);
      expect(new Set(b.map((e) => e.sessionId)).size).toBeLessThanOrEqual(limits.sessions);
      expect(new Set(b.map((e) => e.anonymousId)).size).toBeLessThanOrEqual(limits.visitors);
      const validated: ValidatedBatch = { events: b, indexes: b.map((_, i) => i), accepted: b.map((e) => e.id), rejected: [] };
      expect(capBatch(validated, limits).rejected).toEqual([]);
    }
  });
});
