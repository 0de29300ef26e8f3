// Trust figures of the demo's "Next for you" slot (issue 9 part 5): walks sessions the way a shopper clicking the
// first recommended item does, and counts served items already in the session's path and reasons naming their own
// item. Used by test/browser/trusted-lists.test.ts against the seeded demo; any base URL with the demo site works.
import { DEMO_SERVER_KEY, DEMO_WRITE_KEY } from "../../src/config/demo";

type Served = { items: { id: string; reason: { kind: string; itemId?: string; text: string } }[] };

export type NextFigures = {
  sessions: number;
  steps: number;
  served: number;
  /** Served items that the session had already viewed (the item on screen included). */
  inPath: number;
  /** Served items whose reason names the item itself ("X — often viewed with X"). */
  selfNamed: number;
  /** Clicks on an item the session had already clicked (A → B → A). */
  pingPong: number;
  /** Lists shorter than k. */
  short: number;
};

const CATEGORIES = ["shoes", "socks", "jackets", "backpacks", "tents", "lamps"];

export async function measureNext(opts: { baseUrl: string; sessions?: number; steps?: number; k?: number; slot?: string }): Promise<NextFigures> {
  const sessions = opts.sessions ?? 20;
  const steps = opts.steps ?? 4;
  const k = opts.k ?? 6;
  const f: NextFigures = { sessions, steps, served: 0, inPath: 0, selfNamed: 0, pingPong: 0, short: 0 };
  const run = crypto.randomUUID().slice(0, 8);
  for (let s = 0; s < sessions; s++) {
    const sessionId = `measure-${run}-${s}`;
    const anonymousId = `measure-${run}-${s}`;
    let current = `${CATEGORIES[s % CATEGORIES.length]}-${String(1 + (s % 20)).padStart(3, "0")}`;
    const path: string[] = [];
    let ts = Date.now() - 60_000;
    for (let step = 0; step < steps; step++) {
      // The page view the snippet sends, as the site's backend would (the server key skips the browser's origin check).
      const res = await fetch(`${opts.baseUrl}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-edgerec-key": DEMO_SERVER_KEY },
        body: JSON.stringify({ events: [{ id: crypto.randomUUID(), type: "view", anonymousId, sessionId, itemId: current, ts: (ts += 1000) }] }),
      });
      if (!res.ok) throw new Error(`events: ${res.status} ${await res.text()}`);
      path.push(current);
      const q = new URLSearchParams({ key: DEMO_WRITE_KEY, slot: opts.slot ?? "product", k: String(k), itemId: current, anonymousId, sessionId });
      const list = (await (await fetch(`${opts.baseUrl}/v1/recommendations?${q}`)).json()) as Served;
      f.served += list.items.length;
      if (list.items.length < k) f.short++;
      f.inPath += list.items.filter((i) => path.includes(i.id)).length;
      f.selfNamed += list.items.filter((i) => i.reason.itemId === i.id).length;
      const next = list.items[0]?.id;
      if (next === undefined) break;
      if (path.includes(next)) f.pingPong++;
      current = next;
    }
  }
  return f;
}
