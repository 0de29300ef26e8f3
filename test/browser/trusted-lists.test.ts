// The demo's "Next for you" slot in Chromium (issue 9 part 5): a shopper clicking through it never sees the item on
// screen, never a reason naming its own item, and never comes back to an item already clicked (no ping-pong).
// Also measures the 20 sessions x 4 steps of the issue over the API and prints the figures.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { measureNext } from "../../scripts/demo/measure-next";
import { launch } from "./chromium";

const base = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Clicks through the slot: enough for a two-item loop to show several times over. */
const CLICKS = 12;

describe("the Next for you slot", () => {
  it(`walks ${CLICKS} clicks without the item on screen, a self-naming reason or a clicked item coming back`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/demo/p/backpacks-004`);
    const clicked = ["backpacks-004"];
    for (let step = 0; step < CLICKS; step++) {
      await page.waitForSelector("#slot-next .edgerec-item");
      const current = clicked.at(-1)!;
      expect(page.url()).toContain(`/demo/p/${current}`);
      const slot = await page.$$eval("#slot-next .edgerec-item", (els) =>
        els.map((e) => ({
          id: (e as HTMLElement).dataset.edgerecItem ?? "",
          title: e.querySelector(".edgerec-title")?.textContent ?? "",
          reason: e.querySelector(".edgerec-reason")?.textContent ?? "",
        })),
      );
      const where = `step ${step} on ${current} after ${clicked.join(" → ")}`;
      expect(slot.length, where).toBeGreaterThan(0);
      expect(slot.map((i) => i.id), where).not.toContain(current);
      // Every reason that names an item ends with its title ("often viewed with Canyon Pack 4").
      expect(slot.filter((i) => i.reason.endsWith(` ${i.title}`)), where).toEqual([]);
      // Nothing clicked earlier in the walk is offered again, so the next click cannot ping-pong.
      expect(slot.filter((i) => clicked.includes(i.id)), where).toEqual([]);
      const target = slot[0]!.id;
      await Promise.all([page.waitForURL(`**/demo/p/${target}`), page.click(`#slot-next [data-edgerec-item="${target}"] a`)]);
      clicked.push(target);
    }
    expect(new Set(clicked).size, clicked.join(" → ")).toBe(clicked.length);
    await context.close();
  });

  it("over the issue's 20 sessions x 4 steps: no next item already in the path, none naming itself", async () => {
    const figures = await measureNext({ baseUrl: base, sessions: 20, steps: 4, k: 6 });
    console.log(`next-for-you figures: ${JSON.stringify(figures)}`);
    expect(figures.served).toBe(20 * 4 * 6);
    expect(figures).toMatchObject({ inPath: 0, selfNamed: 0, pingPong: 0, short: 0 });
  });
});
