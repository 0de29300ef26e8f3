// The browser's @segment/analytics-next in headless Chromium, loaded with inline settings (no CDN fetch) and its
// apiHost pointed at the Worker, on a host page of another origin: what it sends must land in D1 and in the session.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch } from "../browser/chromium";
import { createSite, startHarness, type Harness } from "./worker";

let h: Harness;
let browser: Browser;
let host: Server;
let hostUrl = "";

beforeAll(async () => {
  h = await startHarness(inject("workerScript"));
  // analytics-next from npm, bundled for the page: no script or settings ever come from Segment's CDN.
  const bundle = await build({
    stdin: { contents: "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;", resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "warning",
  });
  const script = bundle.outputFiles[0]!.text;
  host = createServer((req, res) => {
    if (req.url === "/ajs.js") res.writeHead(200, { "content-type": "application/javascript" }).end(script);
    else res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>shop</title><script src="/ajs.js"></script><h1>shop</h1>`);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
  await h?.stop();
});

type Row = { type: string; item_id: string | null; user_id: string | null; anonymous_id: string; session_id: string };

describe("@segment/analytics-next in Chromium against the Worker", () => {
  it("page, track, identify with the proof and Order Completed land in D1 and in the live session", async () => {
    const site = await createSite(h.url);
    const userHash = createHmac("sha256", site.identitySecret).update("web-user-1").digest("hex");
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(hostUrl, { waitUntil: "load" });
    const apiHost = `${new URL(h.url).host}/v1`;
    const anonymousId = await page.evaluate(
      async ({ writeKey, apiHost, userHash }) => {
        type Ajs = {
          page(name: string): Promise<unknown>;
          track(event: string, properties: Record<string, unknown>): Promise<unknown>;
          identify(userId: string, traits?: Record<string, unknown>): Promise<unknown>;
          user(): { anonymousId(): string };
          addSourceMiddleware(fn: (m: { payload: { obj: { userId?: string | null; context?: Record<string, unknown> } }; next: (p: unknown) => void }) => void): Promise<unknown>;
        };
        const load = (window as unknown as { AnalyticsBrowser: { load(s: unknown, o: unknown): Promise<[Ajs]> } }).AnalyticsBrowser.load;
        const [analytics] = await load(
          { writeKey, cdnSettings: { integrations: { "Segment.io": { apiKey: writeKey, apiHost, protocol: "http" } } } },
          { initialPageview: false },
        );
        // Every event that carries the user id needs its proof: a source middleware adds it (what a site would do).
        analytics.addSourceMiddleware(({ payload, next }) => {
          if (payload.obj.userId) payload.obj.context = { ...payload.obj.context, userHash };
          next(payload);
        });
        await analytics.page("Home");
        await analytics.track("Product Viewed", { product_id: "sku-1", price: 10 });
        await analytics.track("Product Added", { product_id: "sku-1" });
        await analytics.identify("web-user-1", { email: "not-stored@example.com" });
        await analytics.track("Order Completed", { order_id: "o-1", products: [{ product_id: "sku-1" }, { sku: "sku-2" }] });
        return analytics.user().anonymousId();
      },
      { writeKey: site.writeKey, apiHost, userHash },
    );
    const db = await h.mf.getD1Database("DB");
    const rows = async (): Promise<Row[]> =>
      (await db.prepare(`SELECT type, item_id, user_id, anonymous_id, session_id FROM events WHERE site_id = ? ORDER BY ts, item_id`).bind(site.id).all<Row>()).results;
    // Delivery is asynchronous after the calls resolve: wait for the rows, not for a time.
    await expect.poll(async () => (await rows()).length, { timeout: 15_000 }).toBe(6);
    const stored = await rows();
    expect(stored.map((r) => [r.type, r.item_id])).toEqual([
      ["view", null],
      ["view", "sku-1"],
      ["add_to_cart", "sku-1"],
      ["identify", null],
      ["purchase", "sku-1"],
      ["purchase", "sku-2"],
    ]);
    expect(stored.every((r) => r.anonymous_id === anonymousId)).toBe(true);
    // The public key's user id counted because the page sent the identity proof.
    expect(stored.filter((r) => r.user_id === "web-user-1").map((r) => r.type)).toEqual(["identify", "purchase", "purchase"]);
    const sessions = [...new Set(stored.map((r) => r.session_id))];
    expect(sessions).toHaveLength(1);
    const snap = await fetch(`${h.url}/v1/sessions/${encodeURIComponent(sessions[0]!)}`, { headers: { "x-edgerec-key": site.serverKey } });
    expect(((await snap.json()) as { path: { itemId: string; type: string }[] }).path.map((s) => [s.type, s.itemId])).toEqual([
      ["view", "sku-1"],
      ["add_to_cart", "sku-1"],
      ["purchase", "sku-1"],
      ["purchase", "sku-2"],
    ]);
    // Nothing left loopback: no CDN settings, no remote plugins.
    expect(requests.filter((u) => !u.startsWith("http://127.0.0.1:"))).toEqual([]);
    expect(requests.some((u) => u.startsWith(`${h.url}/v1/t`))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
