// The npm package (`edgerec/sdk`, as scripts/build-sdk-package.mjs builds it) in Chromium against the real
// `wrangler dev` Worker (global-setup.ts): the README's single-page app on another origin imports the built module
// through an import map, and what it tracks and renders is checked in the browser and in the Worker's storage.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { transformSync } from "esbuild";
import type { Browser, BrowserContext, Request, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_SITE_ID, DEMO_WRITE_KEY } from "../../src/config/demo";
import type { EdgerecTracker } from "../../src/sdk/index";
import { launch } from "./chromium";
import { BROWSER_ADMIN_TOKEN } from "./global-setup";

const base = inject("baseUrl");
const PACKAGE = "packages/sdk";
let browser: Browser;
let host: Server;
/** The app's own origin, another loopback port: every call to the Worker is a cross-origin one. */
let app: string;
/** What the app's server answers for every path but the two scripts (history-API routing). */
let html = "";
let moduleSource: string;
let appSource: string;

/** Replaces the one occurrence of `from` (the example's placeholders), failing if the example no longer has it. */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

beforeAll(async () => {
  const built = spawnSync("npm", ["run", "-s", "build:sdk-package"], { encoding: "utf8" });
  expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
  // The file the package's `exports` names for `import`, as a bundler or Node would resolve it.
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE, "package.json"), "utf8")) as { exports: Record<string, { import: string }> };
  moduleSource = readFileSync(path.join(PACKAGE, manifest.exports["./sdk"]!.import), "utf8");
  // The README's example, with its endpoint and key pointed at the test Worker and its demo site.
  const example = readFileSync("examples/spa.ts", "utf8");
  expect(readFileSync("README.md", "utf8")).toContain(example);
  const pointed = replaceOnce(replaceOnce(example, "https://recs.example.com", base), "pk_live_your_write_key", DEMO_WRITE_KEY);
  appSource = transformSync(pointed, { loader: "ts", format: "esm", target: "es2022" }).code;

  // A real server, not a routed page: Chromium's local network access rules block a page without an address from
  // calling loopback.
  host = createServer((req, res) => {
    const js = (body: string) => res.writeHead(200, { "content-type": "text/javascript" }).end(body);
    if (req.url === "/node_modules/edgerec/sdk.js") return js(moduleSource);
    if (req.url === "/app.js") return js(appSource);
    res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  app = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  // The demo site (seeded by global-setup.ts) also allows the app's origin; an upsert without keys keeps them.
  const admin = { authorization: `Bearer ${BROWSER_ADMIN_TOKEN}`, "content-type": "application/json" };
  const site = (await (await fetch(`${base}/admin/sites/${DEMO_SITE_ID}`, { headers: admin })).json()) as { name: string; allowedOrigins: string[]; identityVerification: string };
  const put = await fetch(`${base}/admin/sites/${DEMO_SITE_ID}`, {
    method: "PUT",
    headers: admin,
    body: JSON.stringify({ name: site.name, allowedOrigins: [...site.allowedOrigins, app], identityVerification: site.identityVerification }),
  });
  expect(put.status).toBe(200);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
});

const page = (body: string) => `<!doctype html><html><head><title>SPA</title>
<script type="importmap">{"imports":{"edgerec/sdk":"/node_modules/edgerec/sdk.js"}}</script></head><body>${body}</body></html>`;

/** A fresh browser (no stored ids) on an app whose every route answers `body`. */
async function appContext(body: string): Promise<BrowserContext> {
  html = page(body);
  return browser.newContext();
}

type SentEvent = { id: string; type: string; itemId?: string; sessionId: string; anonymousId: string; context?: { url?: string; recommendationId?: string; slot?: string } };

/** Every event posted to the Worker's /v1/events from this context, and the origins the Worker's answers allowed. */
function recordEvents(context: BrowserContext): { events: SentEvent[]; allowed: Set<string> } {
  const seen = { events: [] as SentEvent[], allowed: new Set<string>() };
  context.on("request", (r: Request) => {
    if (r.method() !== "POST" || !r.url().startsWith(`${base}/v1/events`)) return;
    seen.events.push(...(JSON.parse(r.postData() ?? "{}") as { events: SentEvent[] }).events);
  });
  context.on("response", (r: Response) => {
    if (r.url().startsWith(`${base}/v1/`)) seen.allowed.add(r.headers()["access-control-allow-origin"] ?? "none");
  });
  return seen;
}

async function workerGet<T>(p: string): Promise<T> {
  const res = await fetch(`${base}${p}${p.includes("?") ? "&" : "?"}key=${DEMO_WRITE_KEY}`);
  expect(res.status, p).toBe(200);
  return (await res.json()) as T;
}

/** A visitor's profile counters, or undefined while the consumer has not stored any of their events (404). */
async function profileCounts(anonymousId: string): Promise<Record<string, number> | undefined> {
  const res = await fetch(`${base}/v1/users/${anonymousId}?key=${DEMO_WRITE_KEY}`);
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return ((await res.json()) as { counts: Record<string, number> }).counts;
}

describe("edgerec/sdk in Chromium", () => {
  it("runs the README's single-page app: a view per route, rendered recommend() lists, attributed clicks", async () => {
    const context = await appContext(`<main><section id="recommendations"></section></main><script type="module" src="/app.js"></script>`);
    const sent = recordEvents(context);
    const tab = await context.newPage();
    await tab.goto(`${app}/p/tents-005`);
    const first = await tab.waitForSelector("#recommendations[data-recommendation-id] a");
    const firstId = await tab.getAttribute("#recommendations", "data-recommendation-id");
    const firstItems = await tab.$$eval("#recommendations a", (els) => els.map((a) => decodeURIComponent(new URL((a as HTMLAnchorElement).href).pathname.slice(3))));
    expect(firstItems.length).toBeGreaterThan(0);
    expect(firstItems.length).toBeLessThanOrEqual(4);
    expect(firstItems).not.toContain("tents-005");
    const target = firstItems[0]!;
    // A client-side navigation: the document stays (the marker survives), only the route changes.
    await tab.evaluate(() => Object.assign(window, { marker: "same document" }));
    await first.click();
    await tab.waitForURL(`${app}/p/${target}`);
    await tab.waitForFunction((id) => document.querySelector("#recommendations")?.getAttribute("data-recommendation-id") !== id, firstId);
    expect(await tab.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe("same document");
    const secondItems = await tab.$$eval("#recommendations a", (els) => els.map((a) => decodeURIComponent(new URL((a as HTMLAnchorElement).href).pathname.slice(3))));
    expect(secondItems).not.toContain(target);

    // Every call was cross-origin, answered for the app's origin.
    expect(sent.allowed).toEqual(new Set([app]));
    // What went on the wire: the two views with their route's URL, the click with its list's id and slot.
    expect(sent.events.map((e) => [e.type, e.itemId, e.context?.url])).toEqual([
      ["view", "tents-005", `${app}/p/tents-005`],
      ["click", target, `${app}/p/tents-005`],
      ["view", target, `${app}/p/${target}`],
    ]);
    expect(sent.events[1]!.context).toMatchObject({ recommendationId: firstId, slot: "product" });
    expect(new Set(sent.events.map((e) => e.sessionId)).size).toBe(1);

    // What the Worker stored (each list was fetched after its view was flushed and answered, so it is all there).
    const { anonymousId, sessionId } = sent.events[0]!;
    const session = await workerGet<{ path: { itemId: string; type: string }[] }>(`/v1/sessions/${sessionId}`);
    expect(session.path.map((p) => [p.type, p.itemId])).toEqual([
      ["view", "tents-005"],
      ["click", target],
      ["view", target],
    ]);
    // The profile is written by the ingest queue's consumer a moment after the answers: poll it.
    await expect
      .poll(async () => {
        const counts = await profileCounts(anonymousId);
        return { view: counts?.view ?? 0, click: counts?.click ?? 0 };
      }, { timeout: 15_000 })
      .toEqual({ view: 2, click: 1 });

    // Back: popstate shows the first route again, tracked as a third view.
    const secondId = await tab.getAttribute("#recommendations", "data-recommendation-id");
    await tab.goBack();
    await tab.waitForFunction(() => location.pathname === "/p/tents-005");
    await tab.waitForFunction((id) => document.querySelector("#recommendations")?.getAttribute("data-recommendation-id") !== id, secondId);
    expect(sent.events.at(-1)).toMatchObject({ type: "view", itemId: "tents-005", context: { url: `${app}/p/tents-005` } });
    await context.close();
  });

  it("with requireConsent stores and sends nothing until consent, then sends what was held", async () => {
    const context = await appContext(`<script type="module">import * as sdk from "edgerec/sdk"; window.edgerecSdk = sdk;</script>`);
    const sent = recordEvents(context);
    const consents: string[] = [];
    context.on("request", (r) => {
      if (r.url().startsWith(`${base}/v1/consent`)) consents.push(r.postData() ?? "");
    });
    const tab = await context.newPage();
    await tab.goto(`${app}/`);
    await tab.waitForFunction(() => "edgerecSdk" in window);
    const before = await tab.evaluate(
      async ({ endpoint, key }): Promise<string[]> => {
        const sdk = (window as unknown as { edgerecSdk: typeof import("../../src/sdk/index") }).edgerecSdk;
        const tracker = sdk.createTracker({ endpoint, key, requireConsent: true });
        Object.assign(window, { tracker });
        tracker.page({ itemId: "socks-001" });
        await tracker.flush();
        return Object.keys(localStorage);
      },
      { endpoint: base, key: DEMO_WRITE_KEY },
    );
    expect(before).toEqual([]);
    expect(sent.events).toEqual([]);
    const after = await tab.evaluate(async (): Promise<string[]> => {
      const tracker = (window as unknown as { tracker: EdgerecTracker }).tracker;
      tracker.consent({ analytics: true, personalization: true });
      await tracker.flush();
      return Object.keys(localStorage);
    });
    expect(after).toEqual(expect.arrayContaining(["edgerec:aid", "edgerec:consent", "edgerec:sid"]));
    expect(sent.events.map((e) => [e.type, e.itemId])).toEqual([["view", "socks-001"]]);
    expect(consents).toHaveLength(1);
    expect(JSON.parse(consents[0]!)).toMatchObject({ anonymousId: sent.events[0]!.anonymousId, analytics: true, personalization: true });
    await expect.poll(async () => (await profileCounts(sent.events[0]!.anonymousId))?.view ?? 0, { timeout: 15_000 }).toBe(1);
    await context.close();
  });
});
