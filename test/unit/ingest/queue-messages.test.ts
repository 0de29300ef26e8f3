// The producer's message split: every event once, in order, each message under the queue's size limit.
import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES, QUEUE_MESSAGE_BYTES } from "../../../src/config/limits";
import { ingestMessages } from "../../../src/ingest/queue-messages";
import type { IngestMessage, QueuedEvent } from "../../../src/schemas/ingest-queue";

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

function events(n: number, padding: number): QueuedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    type: "view",
    anonymousId: "a",
    sessionId: "s",
    itemId: `item-${i}`,
    ts: 1_700_000_000_000 + i,
    properties: { pad: "x".repeat(padding) },
  }));
}

describe("ingestMessages", () => {
  it("keeps a small batch in one message", () => {
    const msgs = ingestMessages("site", 1, events(100, 10));
    expect(msgs).toHaveLength(1);
    const body = JSON.parse(msgs[0]!.body) as IngestMessage;
    expect(body).toMatchObject({ v: 1, siteId: "site", receivedAt: 1 });
    expect(body.events).toEqual(events(100, 10));
    expect(msgs[0]!.bytes).toBeGreaterThanOrEqual(new TextEncoder().encode(msgs[0]!.body).byteLength);
  });

  it("splits a large batch into messages under QUEUE_MESSAGE_BYTES, every event once and in order", () => {
    // Not ASCII: the sizes are bytes, not characters.
    const all = events(500, MAX_EVENT_BYTES / 3 - 300).map((e) => ({ ...e, properties: { pad: "é".repeat(MAX_EVENT_BYTES / 3 - 300) } }));
    const msgs = ingestMessages("site", 1, all);
    expect(msgs.length).toBeGreaterThan(1);
    for (const m of msgs) {
      expect(bytes(m.body)).toBeLessThanOrEqual(QUEUE_MESSAGE_BYTES);
      expect(m.bytes).toBeGreaterThanOrEqual(bytes(m.body));
    }
    expect(msgs.flatMap((m) => (JSON.parse(m.body) as IngestMessage).events)).toEqual(all);
  });
});
