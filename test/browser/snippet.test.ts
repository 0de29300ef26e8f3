// The embed snippet in headless Chromium against a real `wrangler dev` (started by global-setup.ts): queue, delivery
// across navigations, slots and attribution, consent and privacy signals, and the retry queue.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_WRITE_KEY } from "../../src/config/demo";
import { launch } from "./chromium";

const base = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

type SentEvent = { id: string; type: string; itemId?: string; anonymousId: string; sessionId: string; context?: { recommendationId?: string; slot?: string } };

/** Every event the context's pages posted to /v1/events (context-wide: beacons sent while a page unloads count too). */
function recordEvents(page: Page): SentEvent[] {
  const sent: SentEvent[] = [];
  page.context().on("request", (r: Request) => {
    if (r.method() === "POST" && r.url().includes("/v1/events")) {
      const body = r.postData();
      if (body) sent.push(...(JSON.parse(body) as { events: SentEvent[] }).events);
    }
  });
  return sent;
}

async function ids(page: Page): Promise<{ anonymousId: string; sessionId: string }> {
  return page.evaluate(() => ({
    anonymousId: localStorage.getItem("edgerec:aid") ?? "",
    sessionId: (JSON.parse(localStorage.getItem("edgerec:sid") ?? "{}") as { id?: string }).id ?? "",
  }));
}

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}${path.includes("?") ? "&" : "?"}key=${DEMO_WRITE_KEY}`);
  return { status: res.status, body: (await res.json()) as T };
}

type Profile = { counts: Record<string, number> };
type Session = { path: { itemId: string; type: string }[] };

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function fresh(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

describe("embed snippet in Chromium", () => {
  it("serves a small versioned script", async () => {
    const res = await fetch(`${base}/sdk.js`);
    expect(res.headers.get("content-type")).toContain("javascript");
    expect((await res.text()).length).toBeGreaterThan(1000);
    const demo = await (await fetch(`${base}/demo`)).text();
    const versioned = /src="([^"]+\/sdk\/[0-9a-f]+\.js)"/.exec(demo)?.[1];
    expect(versioned).toBeDefined();
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const v = await fetch(versioned!);
    expect(v.headers.get("cache-control")).toContain("immutable");
    expect(await v.text()).toBe(await (await fetch(`${base}/sdk.js`)).text());
    expect((await fetch(`${base}/sdk/000000000000.js`)).status).toBe(404);
    expect((await fetch(`${base}/demo/p/no-such-item`)).status).toBe(404);
  });

  it("runs the demo under its strict CSP: no violation, styles applied, the cart button tracked", async () => {
    const { context, page } = await fresh();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/content security policy/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => console.error(`Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`));
    });
    const sent = recordEvents(page);
    const res = await page.goto(`${base}/demo/p/shoes-005`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.waitForSelector("#slot-next .edgerec-item");
    // demo.css applied: the header has its background colour.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector("header")!).backgroundColor)).toBe("rgb(31, 75, 63)");
    await page.click("#add-to-cart");
    await until(async () => sent, (list) => list.some((e) => e.type === "add_to_cart"));
    expect(sent.filter((e) => e.type === "add_to_cart").map((e) => e.itemId)).toEqual(["shoes-005"]);
    expect(violations).toEqual([]);
    await context.close();
  });

  it("sends the queued view and page views exactly once, across a navigation", async () => {
    const { context, page } = await fresh();
    const sent = recordEvents(page);
    await page.goto(`${base}/demo/p/shoes-003`);
    await page.waitForFunction(() => localStorage.getItem("edgerec:aid") !== null);
    const { anonymousId, sessionId } = await ids(page);
    await until(() => api<Session>(`/v1/sessions/${sessionId}`), (r) => r.status === 200 && r.body.path.length === 1);
    await page.goto(`${base}/demo/p/shoes-004`);
    await page.goto(`${base}/demo`);
    const session = await until(() => api<Session>(`/v1/sessions/${sessionId}`), (r) => r.body.path.length >= 2);
    expect(session.body.path.map((p) => p.itemId)).toEqual(["shoes-003", "shoes-004"]);
    const profile = await until(() => api<Profile>(`/v1/users/${anonymousId}`), (r) => r.body.counts?.view === 3);
    // Two product views (queued before the script loaded) and one automatic page view on the home page.
    expect(profile.body.counts.view).toBe(3);
    // No duplicate ids in flight either: every event the browser sent is distinct.
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    await context.close();
  });

  it("renders a slot whose click carries the recommendation id, and the next-for-you slot follows the clicks", async () => {
    const { context, page } = await fresh();
    const sent = recordEvents(page);
    await page.goto(`${base}/demo/p/tents-005`);
    await page.waitForSelector("#slot-next .edgerec-item a");
    const recId = await page.getAttribute("#slot-next", "data-edgerec-recommendation");
    const firstList = await page.$$eval("#slot-next .edgerec-item", (els) => els.map((e) => (e as HTMLElement).dataset.edgerecItem));
    expect(firstList.length).toBeGreaterThan(0);
    expect(firstList).not.toContain("tents-005");
    const target = firstList[0]!;
    // First click without navigating (the page stays, so the request is observed reliably) ...
    await page.evaluate(() => document.addEventListener("click", (e) => e.preventDefault(), { once: true }));
    await page.click(`#slot-next [data-edgerec-item="${target}"] a`);
    await until(async () => sent.some((e) => e.type === "click"), (v) => v);
    const click = sent.find((e) => e.type === "click");
    expect(click).toMatchObject({ itemId: target, context: { recommendationId: recId, slot: "product" } });
    // ... then a real click that navigates: the event survives the page change (keepalive fetch or beacon).
    await page.click(`#slot-next [data-edgerec-item="${target}"] a`);
    await page.waitForURL(`**/demo/p/${target}`);
    await page.waitForSelector("#slot-next .edgerec-item");
    const secondList = await page.$$eval("#slot-next .edgerec-item", (els) => els.map((e) => (e as HTMLElement).dataset.edgerecItem));
    expect(secondList).not.toEqual(firstList);
    const { anonymousId } = await ids(page);
    const profile = await until(() => api<Profile>(`/v1/users/${anonymousId}`), (r) => r.body.counts?.click === 2);
    expect(profile.body.counts.click).toBe(2);
    // A couple more clicks for the screenshot the closing note describes.
    for (let i = 0; i < 2; i++) {
      await page.click("#slot-next .edgerec-item a");
      await page.waitForSelector("#slot-next .edgerec-item");
    }
    mkdirSync("test/browser/artifacts", { recursive: true });
    await page.screenshot({ path: "test/browser/artifacts/demo-product.png" });
    // The home page after those clicks: its slot is personalized with this visitor's session.
    await page.goto(`${base}/demo`);
    await page.waitForSelector("#slot-home .edgerec-item");
    expect(await page.$$eval("#slot-home .edgerec-reason", (els) => els.map((e) => e.textContent ?? ""))).toContainEqual(expect.stringMatching(/\S/));
    await page.screenshot({ path: "test/browser/artifacts/demo.png" });
    await context.close();
  });

  it("offers recommend() for sites that render themselves, and tracks impressions of visible slots", async () => {
    const { context, page } = await fresh();
    const sent = recordEvents(page);
    await page.goto(`${base}/demo`);
    await page.waitForSelector("#slot-home .edgerec-item");
    const list = await page.evaluate(async () => {
      const er = (window as unknown as { edgerec: { recommend: (o: { slot: string; k: number }) => Promise<{ items: unknown[]; recommendationId: string }> } }).edgerec;
      return er.recommend({ slot: "home", k: 3 });
    });
    expect(list.items).toHaveLength(3);
    expect(list.recommendationId).toMatch(/^r1\.[A-Za-z0-9_-]+$/);
    await until(async () => sent.filter((e) => e.type === "impression").length, (n) => n > 0);
    expect(sent.filter((e) => e.type === "impression").every((e) => e.context?.slot === "home" && e.context.recommendationId)).toBe(true);
    await context.close();
  });

  it("carries the session path it tracked on its list reads, so the Worker needs no read of the session", async () => {
    const { context, page } = await fresh();
    const sent = recordEvents(page);
    await page.goto(`${base}/demo/p/jackets-002`);
    await page.goto(`${base}/demo/p/jackets-004`);
    await page.waitForFunction(() => "recommend" in ((window as unknown as { edgerec: object }).edgerec ?? {}));
    await until(async () => sent.filter((e) => e.type === "view" && e.itemId).map((e) => e.itemId), (v) => v.includes("jackets-004"));
    const reads: URL[] = [];
    page.on("request", (r) => {
      if (r.method() === "GET" && r.url().includes("/v1/recommendations")) reads.push(new URL(r.url()));
    });
    type Edgerec = { edgerec: { recommend: (o: object) => Promise<{ items: { id: string }[] }> } };
    const list = await page.evaluate(() => (window as unknown as Edgerec).edgerec.recommend({ slot: "home", k: 6 }));
    const read = reads.at(-1)!;
    // The views this tab tracked, oldest first (the same steps the session object holds).
    const viewed = sent.filter((e) => e.type === "view" && e.itemId).map((e) => e.itemId);
    expect(read.searchParams.get("path")).toBe(viewed.join(","));
    expect(viewed.slice(-2)).toEqual(["jackets-002", "jackets-004"]);
    expect(list.items).toHaveLength(6);
    // A "next" list leaves out what the carried path saw.
    expect(list.items.map((i) => i.id).filter((id) => viewed.includes(id))).toEqual([]);
    await context.close();
  });

  it("trackAndRecommend sends a click and answers the slot's list that already reflects it, in one request", async () => {
    const { context, page } = await fresh();
    await page.goto(`${base}/demo/p/jackets-002`);
    await page.waitForFunction(() => "trackAndRecommend" in ((window as unknown as { edgerec: object }).edgerec ?? {}));
    const { sessionId } = await ids(page);
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().includes("/v1/events")) posts.push(r.url());
    });
    type Edgerec = { edgerec: { trackAndRecommend: (type: string, input: object, o: object) => Promise<{ slot: string; items: { id: string }[] }> } };
    const list = await page.evaluate(() => (window as unknown as Edgerec).edgerec.trackAndRecommend("click", { itemId: "jackets-003" }, { slot: "product", k: 8 }));
    expect(list.slot).toBe("product");
    expect(list.items.length).toBe(8);
    // The click is in the live session already, and the list leaves out what the session saw, the click included.
    const session = await until(() => api<Session>(`/v1/sessions/${sessionId}`), (r) => r.body.path?.some((p) => p.itemId === "jackets-003"));
    expect(session.body.path.map((p) => p.itemId)).toContain("jackets-003");
    expect(list.items.map((i) => i.id)).not.toContain("jackets-003");
    expect(list.items.map((i) => i.id)).not.toContain("jackets-002");
    // One request carried both: the events and the list.
    expect(posts.filter((u) => u.includes("recommend=product"))).toHaveLength(1);
    await context.close();
  });

  it("sends and stores nothing under Global Privacy Control", async () => {
    const { context, page } = await fresh();
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
    const sent = recordEvents(page);
    await page.goto(`${base}/demo/p/lamps-002`);
    await page.waitForSelector("#slot-next .edgerec-item");
    await page.goto(`${base}/demo`);
    await page.waitForTimeout(800);
    expect(sent).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("edgerec:")))).toEqual([]);
    await context.close();
  });

  it("with data-require-consent sends nothing before consent, nothing after a refusal, and everything after a yes", async () => {
    const html = (choice: string) => `<!doctype html><html><body><h1>consent page</h1>
<script>window.edgerec=window.edgerec||[];edgerec.push(["track","view",{itemId:"socks-001"}]);</script>
<script async src="${base}/sdk.js" data-key="${DEMO_WRITE_KEY}" data-require-consent></script>
<button id="choose" onclick='edgerec.push(["consent",${choice}])'>choose</button></body></html>`;
    for (const [choice, expectSent] of [["{analytics:false,personalization:false}", false], ["{analytics:true,personalization:true}", true]] as const) {
      const { context, page } = await fresh();
      await page.route(`${base}/consent-test`, (route) => route.fulfill({ contentType: "text/html", body: html(choice) }));
      const sent = recordEvents(page);
      await page.goto(`${base}/consent-test`);
      await page.waitForFunction(() => "recommend" in ((window as unknown as { edgerec: object }).edgerec ?? {}));
      await page.waitForTimeout(600);
      expect(sent).toEqual([]);
      expect(await page.evaluate(() => localStorage.getItem("edgerec:aid"))).toBeNull();
      await page.click("#choose");
      await page.waitForTimeout(900);
      if (expectSent) {
        expect(sent.map((e) => e.itemId)).toContain("socks-001");
      } else {
        expect(sent).toEqual([]);
        expect(await page.evaluate(() => localStorage.getItem("edgerec:aid"))).toBeNull();
      }
      await context.close();
    }
  });

  it("changes a choice with the receipt of the previous answer, and a no with erase: true erases the visitor", async () => {
    const { context, page } = await fresh();
    await page.goto(`${base}/demo/p/jackets-007`);
    await page.waitForFunction(() => "recommend" in ((window as unknown as { edgerec: object }).edgerec ?? {}));
    const { anonymousId } = await ids(page);
    await until(() => api<Profile>(`/v1/users/${anonymousId}`), (r) => r.status === 200);
    const consentAnswer = () => page.waitForResponse((r) => r.url().includes("/v1/consent"));
    const first = consentAnswer();
    await page.evaluate(() => (window as unknown as { edgerec: { push: (c: unknown[]) => void } }).edgerec.push(["consent", { analytics: true, personalization: true }]));
    expect((await first).status()).toBe(200);
    const receipt = await until(() => page.evaluate(() => localStorage.getItem("edgerec:cr")), (r) => r !== null);
    expect(receipt).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const second = consentAnswer();
    await page.evaluate(() => (window as unknown as { edgerec: { push: (c: unknown[]) => void } }).edgerec.push(["consent", { analytics: false, erase: true }]));
    const answer = await second;
    expect(answer.status()).toBe(200);
    expect(JSON.parse(answer.request().postData() ?? "{}")).toMatchObject({ receipt, erase: true });
    const erased = (await answer.json()) as { applied: boolean; erasureReceipt: { status: string; statusUrl: string } };
    expect(erased).toMatchObject({ applied: true });
    // The job also rewrites the site's archive objects, a step at a time: on a site with a large archive it answers
    // "running" and goes on after the answer; its status URL says when it is done.
    expect(erased.erasureReceipt.status).toMatch(/^(done|running)$/);
    if (erased.erasureReceipt.status === "running") {
      const job = await until(() => api<{ status: string }>(erased.erasureReceipt.statusUrl), (r) => r.body.status === "done", 30_000);
      expect(job.body.status).toBe("done");
    }
    expect((await api(`/v1/users/${anonymousId}`)).status).toBe(404);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("edgerec:")))).toEqual(["edgerec:consent"]);
    await context.close();
  });

  it("keeps failed events in localStorage and delivers them once after a reload", async () => {
    const { context, page } = await fresh();
    // As with a blocker that stubs beacons: the page cannot hand its queue over on unload, so only the stored
    // retry queue can deliver it.
    await page.addInitScript(() => {
      navigator.sendBeacon = () => false;
    });
    let failures = 0;
    await page.route("**/v1/events**", (route) => {
      failures++;
      return route.fulfill({ status: 503, contentType: "application/json", body: '{"error":{"code":"unavailable","message":"try later"}}' });
    });
    await page.goto(`${base}/demo/p/jackets-007`);
    await until(async () => failures, (n) => n > 0);
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem("edgerec:q") ?? "[]") as { id: string; itemId?: string }[]);
    expect(queued.map((e) => e.itemId)).toContain("jackets-007");
    const { anonymousId } = await ids(page);
    await page.unroute("**/v1/events**");
    const sent = recordEvents(page);
    await page.reload();
    const profile = await until(() => api<Profile>(`/v1/users/${anonymousId}`), (r) => r.body.counts?.view === 2);
    // The failed view and the reloaded page's view: each stored once.
    expect(profile.body.counts.view).toBe(2);
    expect(sent.map((e) => e.id)).toEqual(expect.arrayContaining(queued.map((e) => e.id)));
    await until(() => page.evaluate(() => localStorage.getItem("edgerec:q")), (q) => q === "[]");
    expect(await page.evaluate(() => localStorage.getItem("edgerec:q"))).toBe("[]");
    await context.close();
  });
});
