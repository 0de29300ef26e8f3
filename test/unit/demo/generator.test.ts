import { describe, expect, it } from "vitest";
import { demoCatalog, demoEvents } from "../../../scripts/demo/generator";
import { eventSchema } from "../../../src/schemas/events";
import { itemSchema } from "../../../src/schemas/items";

const NOW = 1_800_000_000_000;

describe("demo generator", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = demoEvents({ now: NOW, visitors: 20 });
    const b = demoEvents({ now: NOW, visitors: 20 });
    const c = demoEvents({ now: NOW, visitors: 20, seed: 99 });
    expect(a).toEqual(b);
    expect(c[0]!.id).not.toBe(a[0]!.id);
  });

  it("produces events and items that the API schemas accept, in time order, none in the future", () => {
    const items = demoCatalog();
    for (const item of items) expect(itemSchema.safeParse(item).success).toBe(true);
    const events = demoEvents({ now: NOW, visitors: 50 });
    for (const e of events) expect(eventSchema.safeParse(e).success).toBe(true);
    expect(events.every((e, i) => i === 0 || events[i - 1]!.ts <= e.ts)).toBe(true);
    expect(Math.max(...events.map((e) => e.ts))).toBeLessThanOrEqual(NOW);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const ids = new Set(items.map((i) => i.id));
    expect(events.filter((e) => e.itemId).every((e) => ids.has(e.itemId!))).toBe(true);
  });

  it("has sequential habits: within a session, the next item in the chain is the most common successor", () => {
    const events = demoEvents({ now: NOW, visitors: 300 }).filter((e) => e.type === "view");
    const bySession = new Map<string, string[]>();
    for (const e of events) bySession.set(e.sessionId, [...(bySession.get(e.sessionId) ?? []), e.itemId!]);
    let chain = 0;
    let transitions = 0;
    for (const path of bySession.values()) {
      for (let i = 1; i < path.length; i++) {
        transitions++;
        const [cat, n] = path[i - 1]!.split("-");
        const [cat2, n2] = path[i]!.split("-");
        if (cat === cat2 && Number(n2) === (Number(n) % 20) + 1) chain++;
      }
    }
    expect(transitions).toBeGreaterThan(1000);
    expect(chain / transitions).toBeGreaterThan(0.45);
  });

  it("includes carts, purchases and logins", () => {
    const types = new Set(demoEvents({ now: NOW, visitors: 300 }).map((e) => e.type));
    expect(types).toEqual(new Set(["view", "add_to_cart", "purchase", "identify"]));
  });
});
