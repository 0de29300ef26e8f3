// The operator dashboard in Chromium (issue 10 part 6): sign in through the form, every page with real charts and
// figures from the seeded demo shop plus recommendation traffic sent here through the API, the buttons (start,
// promote, canary publish / evaluate / rollback, rotate) and sign-out. Saves a screenshot of every page in test/browser/artifacts/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_SERVER_KEY, DEMO_SITE_ID } from "../../src/config/demo";
import { SERVER_BATCH_LIMITS } from "../../src/config/limits";
import { planBatches } from "../../src/ingest/cap-distinct";
import { encodeExposure } from "../../src/recommend/exposure";
import { BROWSER_ADMIN_TOKEN } from "./global-setup";
import { launch } from "./chromium";

const base = inject("baseUrl");
const ARTIFACTS = path.join(process.cwd(), "test/browser/artifacts");
const ADMIN = { authorization: `Bearer ${BROWSER_ADMIN_TOKEN}`, "content-type": "application/json" };
const DAY = 86_400_000;
const EXPERIMENT = "dash-ab";
/** Slots only this file serves, so other files' traffic on the demo site never changes the figures asserted here. */
const HISTORY_SLOT = "dash-home";
const EXPERIMENT_SLOT = "dash-exp";
const ROTATE_SITE = "dash-rotate";
/** The canary's traffic: the guardrail compares versions on the slots the canary was served in, so only this one. */
const CANARY_SLOT = "dash-canary";

let browser: Browser;

type Sent = { impressions: number; clicks: number; purchases: number };

async function call(url: string, init: RequestInit, ok: number[]): Promise<unknown> {
  const res = await fetch(`${base}${url}`, init);
  const text = await res.text();
  if (!ok.includes(res.status)) throw new Error(`${init.method ?? "GET"} ${url} -> ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** A deterministic pseudo-random stream (mulberry32), so the figures are the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Lists served on `slot` under `variant` at the given times: an impression each, a click with probability `ctr`, and
 * a purchase of the clicked item (price 20) with probability 0.3 a minute later (attributed by last touch).
 */
async function sendExposures(slot: string, variant: string, times: number[], ctr: number, seed: number, modelVersion: string | null = null): Promise<Sent> {
  const rand = random(seed);
  const events: Record<string, unknown>[] = [];
  const sent: Sent = { impressions: 0, clicks: 0, purchases: 0 };
  times.forEach((t, i) => {
    const recommendationId = encodeExposure({ slot, variant, modelVersion, servedAt: Math.floor(t / 1000) });
    const visitor = `dash-${variant}-${seed}-${i}`;
    const itemId = `tents-00${i % 8}`;
    const base = { anonymousId: visitor, sessionId: `${visitor}-s`, itemId, context: { recommendationId, slot } };
    events.push({ ...base, id: crypto.randomUUID(), type: "impression", ts: t });
    sent.impressions++;
    if (rand() < ctr) {
      events.push({ ...base, id: crypto.randomUUID(), type: "click", ts: t + 1000 });
      sent.clicks++;
      if (rand() < 0.3) {
        events.push({ anonymousId: visitor, sessionId: `${visitor}-s`, itemId, id: crypto.randomUUID(), type: "purchase", ts: t + 60_000, properties: { price: 20, quantity: 1 } });
        sent.purchases++;
      }
    }
  });
  for (const batch of planBatches(events as never[], SERVER_BATCH_LIMITS)) {
    const r = (await call("/v1/events", { method: "POST", headers: { "content-type": "application/json", "x-edgerec-key": DEMO_SERVER_KEY }, body: JSON.stringify({ events: batch }) }, [200])) as {
      rejected: unknown[];
    };
    expect(r.rejected).toEqual([]);
  }
  return sent;
}

/** `n` times spread over day `daysAgo` (up to now for today). */
function timesOn(daysAgo: number, n: number): number[] {
  const now = Date.now();
  const start = Math.floor(now / DAY) * DAY - daysAgo * DAY;
  const end = daysAgo === 0 ? now - 5 * 60_000 : start + DAY - 120_000;
  const from = daysAgo === 0 ? Math.max(start, end - 3_600_000) : start;
  return Array.from({ length: n }, (_, i) => Math.round(from + ((end - from) * (i + 0.5)) / n));
}

const history: Record<string, Sent> = { none: { impressions: 0, clicks: 0, purchases: 0 } };

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launch();
  // Six days of one slot's lists outside any experiment.
  for (let d = 5; d >= 0; d--) {
    const s = await sendExposures(HISTORY_SLOT, "none", timesOn(d, 30), 0.12 + d * 0.01, 100 + d);
    history.none = { impressions: history.none!.impressions + s.impressions, clicks: history.none!.clicks + s.clicks, purchases: history.none!.purchases + s.purchases };
  }
  await call(`/admin/experiments/${EXPERIMENT}?site=${DEMO_SITE_ID}`, {
    method: "PUT",
    headers: ADMIN,
    body: JSON.stringify({ slots: [EXPERIMENT_SLOT], variants: [{ name: "control", weight: 1, change: { control: true } }, { name: "personal", weight: 1 }] }),
  }, [200, 201]);
  // A second model version, so the models page has a rollback target.
  await call(`/admin/retrain?site=${DEMO_SITE_ID}`, { method: "POST", headers: ADMIN }, [201]);
  await call(`/admin/sites/${ROTATE_SITE}`, { method: "PUT", headers: ADMIN, body: JSON.stringify({ name: "rotation test site", allowedOrigins: ["https://rotate.example"] }) }, [200, 201]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(`${base}/admin`);
  expect(new URL(page.url()).pathname).toBe("/admin/ui/sign-in");
  await page.fill("#token", BROWSER_ADMIN_TOKEN);
  await Promise.all([page.waitForURL(`${base}/admin`), page.click("button[type=submit]")]);
  pageErrors.set(page, errors);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

/** Nothing the CSP refused and nothing failed to load on any page visited; then closes the context. */
async function done(page: Page): Promise<void> {
  expect(pageErrors.get(page)).toEqual([]);
  await page.context().close();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

/** Integer in a table cell ("1,234" → 1234). */
/** Rollups count after ingest answers (the queue's consumer writes them): loads `url` until `ok` holds. */
async function loadUntil(page: Page, url: string, ok: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; ; ) {
    await page.goto(url);
    if (await ok()) return;
    if (Date.now() > deadline) throw new Error(`${what} not counted within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function cellNumber(page: Page, selector: string): Promise<number> {
  return Number((await page.textContent(selector))!.replaceAll(",", "").trim());
}

/** The models page test's steps (the caller lowers the guardrail's minimum sample around them). */
async function canaryOnTheModelsPage(): Promise<void> {
  const page = await signedIn();
  const models = `${base}/admin/ui/models?site=${DEMO_SITE_ID}`;
  await page.goto(models);
  const headers = page.locator("table.versions thead th[data-version]");
  expect(await headers.count()).toBeGreaterThanOrEqual(2);
  const current = (await page.locator('table.versions thead th[data-state="current"]').getAttribute("data-version"))!;
  expect(await page.locator('table.versions thead th[data-state="current"] .badge').textContent()).toBe("current");
  const metrics = page.locator("table.versions tr.metric");
  expect(await metrics.count()).toBeGreaterThan(2);
  // Every metric row has a figure for the newest version.
  const firstCells = await metrics.evaluateAll((rows) => rows.map((r) => r.querySelector("td")?.textContent ?? ""));
  expect(firstCells.filter((t) => /\d/.test(t)).length).toBeGreaterThan(2);
  expect(await page.textContent("#no-canary")).toContain("No canary rollout");

  // Publish: the form retrains and serves the new version to 20% of visitors.
  await page.fill("form.publish input[name=share]", "20");
  await Promise.all([page.waitForURL(/notice=canary_published/, { timeout: 25_000 }), page.click("#publish-canary")]);
  expect(await page.textContent(".notice")).toContain("Canary published");
  const canary = (await page.getAttribute("#canary", "data-version"))!;
  expect(canary).not.toBe(current);
  expect(await page.locator(`table.versions thead th[data-version="${canary}"] .badge`).textContent()).toBe("canary");
  expect(await page.textContent("#canary")).toContain("20% of visitors");
  expect(await page.getAttribute("#canary", "data-rule")).toBe("insufficient");

  // Lists of both versions on this file's canary slot: the canary's CTR far below the current one's, past the
  // guardrail's minimum sample (the site's canary policy, lowered to 300 impressions for this test, then restored).
  const times = timesOn(0, 400);
  const sentCanary = await sendExposures(CANARY_SLOT, "none", times, 0.02, 301, canary);
  const sentCurrent = await sendExposures(CANARY_SLOT, "none", times, 0.15, 302, current);
  const impressions = async (arm: string) => cellNumber(page, `#canary tr[data-arm="${arm}"] td:nth-child(2)`);
  await loadUntil(
    page,
    models,
    async () => (await impressions("canary")) >= sentCanary.impressions && (await impressions("current")) >= sentCurrent.impressions,
    "the canary's impressions",
  );
  expect(await cellNumber(page, '#canary tr[data-arm="canary"] td:nth-child(3)')).toBe(sentCanary.clicks);
  expect(await page.textContent('#canary tr[data-arm="canary"] td:nth-child(4) .ci')).toMatch(/^\[[\d.]+% – [\d.]+%\]$/);
  expect(await page.getAttribute("#canary", "data-would")).toBe("rollback");
  expect(await page.getAttribute("#canary", "data-rule")).toBe("significantly_worse");
  expect(await page.textContent("#guardrail")).toContain("significantly lower");
  await shot(page, "models");

  // Evaluate now: the guardrail rolls it back and records the decision with its figures.
  await Promise.all([page.waitForURL(/notice=canary_failed/), page.click("#evaluate-canary")]);
  expect(await page.textContent(".notice")).toContain("rolled back");
  expect(await page.locator("#no-canary").count()).toBe(1);
  expect(await page.locator(`table.versions thead th[data-version="${canary}"] .badge`).textContent()).toBe("rolled back");
  const decided = page.locator("table.decisions tbody tr").first();
  expect(await decided.getAttribute("data-version")).toBe(canary);
  expect(await decided.getAttribute("data-rule")).toBe("significantly_worse");
  expect(await decided.locator("td").nth(3).textContent()).toBe(current);
  expect(await decided.locator("td").nth(5).textContent()).toBe("admin");
  expect(await decided.locator("td").nth(6).textContent()).toContain(`canary ${sentCanary.impressions.toLocaleString("en-US")} impr.`);

  // A second canary (a random copy, through the API): the rollback button takes the canary back, not the served version.
  const second = (await call(`/admin/models/${DEMO_SITE_ID}/canary`, { method: "POST", headers: ADMIN, body: JSON.stringify({ build: "random", share: 0.1 }) }, [201])) as { canary: { version: string } };
  await page.goto(models);
  expect(await page.textContent("#rollback")).toBe(`Roll back canary ${second.canary.version}`);
  await Promise.all([page.waitForURL(/notice=canary_rolled_back/), page.click("#rollback")]);
  expect(await page.textContent(".notice")).toContain("Canary rolled back");
  expect(await page.locator('table.versions thead th[data-state="current"]').getAttribute("data-version")).toBe(current);
  const manual = page.locator("table.decisions tbody tr").first();
  expect(await manual.getAttribute("data-version")).toBe(second.canary.version);
  expect(await manual.locator("td").nth(5).textContent()).toBe("manual");
  await shot(page, "models-decisions");
  await done(page);
}


describe("operator dashboard", () => {
  it("signs in through the form (a wrong token gets the 401 page), keeps no token in the URL, and signs out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/admin/ui/sign-in`);
    await page.fill("#token", "wrong-token");
    const [wrong] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/admin/ui/sign-in") && r.request().method() === "POST"), page.click("button[type=submit]")]);
    expect(wrong.status()).toBe(401);
    expect(await page.textContent(".error")).toContain("not the admin token");
    await shot(page, "sign-in");
    await page.fill("#token", BROWSER_ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click("button[type=submit]")]);
    expect(page.url()).not.toContain(BROWSER_ADMIN_TOKEN);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: "edgerec_admin", httpOnly: true, sameSite: "Strict", path: "/admin" });
    expect(cookies[0]!.value).not.toContain(BROWSER_ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${base}/admin/ui/sign-in`), page.click("#sign-out")]);
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${base}/admin/ui/models`);
    expect(new URL(page.url()).pathname).toBe("/admin/ui/sign-in");
    await context.close();
  });

  it("overview: events and sessions per hour and per day from the seeded shop", async () => {
    const page = await signedIn();
    expect(await page.textContent("h1")).toBe("Overview");
    // The first site is shown by default; this file's rotation site sorts before the demo, so pick the demo.
    await page.selectOption("select[name=site]", DEMO_SITE_ID);
    await Promise.all([page.waitForURL(`${base}/admin?site=${DEMO_SITE_ID}`), page.click(".site-picker button")]);
    const charts = page.locator("figure.chart");
    expect(await charts.count()).toBe(4);
    // 48 hourly points on the events chart, two series of 48 on the sessions chart, 14 daily bars each.
    expect(await charts.nth(0).locator("circle.pt").count()).toBe(48);
    expect(await charts.nth(1).locator("circle.pt").count()).toBe(96);
    expect(await charts.nth(2).locator("rect.bar").count()).toBe(14);
    expect(await charts.nth(3).locator("rect.bar").count()).toBe(14);
    // Axis ticks with labels, and a legend.
    expect(await charts.nth(0).locator(".axis.x text").count()).toBeGreaterThan(3);
    expect(await charts.nth(1).locator(".legend text").allTextContents()).toEqual(["active sessions", "sessions started"]);
    // The seed sent a week of events: several days have bars of real height and the tiles count them.
    const heights = await charts.nth(2).locator("rect.bar").evaluateAll((els) => els.map((e) => Number(e.getAttribute("height"))));
    expect(heights.filter((h) => h > 0).length).toBeGreaterThanOrEqual(6);
    const events = Number((await page.locator(".tile .v").first().textContent())!.replaceAll(",", ""));
    expect(events).toBeGreaterThan(1000);
    await shot(page, "overview");
    await done(page);
  });

  it("slots: CTR and conversion per day with interval bands, and the totals sent", async () => {
    const page = await signedIn();
    await page.goto(`${base}/admin/ui/slots?site=${DEMO_SITE_ID}`);
    const slot = page.locator(`section[data-slot="${HISTORY_SLOT}"]`);
    const ctr = slot.locator("figure.chart").first();
    // Six days with impressions: six dots, a band with a real outline, day labels on the axis.
    expect(await ctr.locator("circle.pt").count()).toBe(6);
    expect((await ctr.locator("path.band").getAttribute("d"))!.length).toBeGreaterThan(50);
    expect(await ctr.locator(".axis.x text").allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}$/)]));
    expect(await ctr.locator(".legend text").allTextContents()).toEqual(["no experiment"]);
    const row = slot.locator("table.slot-totals tbody tr").first();
    expect(await row.locator("td").first().textContent()).toBe("no experiment");
    expect(Number((await row.locator("td").nth(1).textContent())!.replaceAll(",", ""))).toBe(history.none!.impressions);
    expect(Number((await row.locator("td").nth(2).textContent())!.replaceAll(",", ""))).toBe(history.none!.clicks);
    expect(Number((await row.locator("td").nth(4).textContent())!.replaceAll(",", ""))).toBe(history.none!.purchases);
    const rate = ((100 * history.none!.clicks) / history.none!.impressions).toFixed(0);
    expect(await row.locator("td").nth(3).textContent()).toMatch(new RegExp(`^${rate}% \\[\\d+(\\.\\d+)?% – \\d+(\\.\\d+)?%\\]$`));
    await shot(page, "slots");
    await done(page);
  });

  it("experiments: start from the page, results per variant with intervals, promote a winner", async () => {
    const page = await signedIn();
    await page.goto(`${base}/admin/ui/experiments?site=${DEMO_SITE_ID}`);
    const row = page.locator(`table.experiments tr[data-experiment="${EXPERIMENT}"]`);
    expect(await row.locator(".badge").textContent()).toBe("draft");
    await Promise.all([page.waitForURL(/notice=started/), row.locator("button", { hasText: "Start" }).click()]);
    expect(await page.textContent(".notice")).toBe("Experiment started.");
    expect(await row.locator(".badge").textContent()).toBe("running");

    // Traffic of the running experiment: the personalized variant clicks twice as often.
    const control = await sendExposures(EXPERIMENT_SLOT, `${EXPERIMENT}:control`, timesOn(0, 80), 0.08, 7);
    const personal = await sendExposures(EXPERIMENT_SLOT, `${EXPERIMENT}:personal`, timesOn(0, 80), 0.2, 8);
    const cell = (variant: string, col: number) => cellNumber(page, `section[data-experiment="${EXPERIMENT}"] tr[data-variant="${variant}"] td:nth-child(${col})`);
    await loadUntil(page, page.url(), async () => (await cell("control", 3)) >= control.impressions && (await cell("personal", 3)) >= personal.impressions, "the experiment's impressions");
    const results = page.locator(`section[data-experiment="${EXPERIMENT}"] table.results`);
    for (const [variant, sent] of [["control", control], ["personal", personal]] as const) {
      const tr = results.locator(`tr[data-variant="${variant}"]`);
      expect(await cellNumber(page, `section[data-experiment="${EXPERIMENT}"] tr[data-variant="${variant}"] td:nth-child(3)`)).toBe(sent.impressions);
      expect(await cellNumber(page, `section[data-experiment="${EXPERIMENT}"] tr[data-variant="${variant}"] td:nth-child(4)`)).toBe(sent.clicks);
      expect(await tr.locator("td").nth(4).textContent()).toMatch(/^\d+(\.\d+)?% \[\d+(\.\d+)?% – \d+(\.\d+)?%\]$/);
      expect(await tr.locator("td").nth(1).textContent()).toMatch(/^50% \/ \d+(\.\d+)?%$/);
    }
    // The results view's verdict, split check and the treatment's lift against the control (with its interval).
    expect(await page.locator(`section[data-experiment="${EXPERIMENT}"] .verdict`).getAttribute("data-verdict")).toMatch(/^(insufficient_sample|winner|no_significant_difference)$/);
    expect(await results.locator(`tr[data-variant="personal"] td`).nth(8).textContent()).toMatch(/^\+\d+(\.\d+)?% \[.+\] p /);
    expect(await results.locator(`tr[data-variant="control"] td`).nth(8).textContent()).toBe("control");
    await shot(page, "experiments");

    await Promise.all([page.waitForURL(/notice=winner/), results.locator(`tr[data-variant="personal"] button`, { hasText: "Promote" }).click()]);
    expect(await page.textContent(".notice")).toContain("Winner declared");
    expect(await row.locator(".badge").textContent()).toBe("stopped");
    expect(await row.locator("td").nth(5).textContent()).toBe("personal");
    await done(page);
  });

  it("models: versions with their state, a canary published from the page with the guardrail's reading, evaluated, rolled back, and the decision history", async () => {
    const siteConfig = ((await call(`/admin/sites/${DEMO_SITE_ID}`, { headers: ADMIN }, [200])) as { config: Record<string, unknown> }).config;
    await call(`/admin/sites/${DEMO_SITE_ID}/config`, { method: "PUT", headers: ADMIN, body: JSON.stringify({ ...siteConfig, canary: { minImpressions: 300 } }) }, [200]);
    try {
      await canaryOnTheModelsPage();
    } finally {
      await call(`/admin/sites/${DEMO_SITE_ID}/config`, { method: "PUT", headers: ADMIN, body: JSON.stringify(siteConfig) }, [200]);
    }
  }, 90_000);


  it("segments: the structure verdict, sizes as bars, the projection as a scatter, descriptions, candidates and context factors", async () => {
    const page = await signedIn();
    await page.goto(`${base}/admin/ui/segments?site=${DEMO_SITE_ID}`);
    const rows = page.locator("table.segments tbody tr");
    const k = await rows.count();
    // The new-visitor segment plus at least two behavioural ones.
    expect(k).toBeGreaterThanOrEqual(3);
    expect(await rows.first().locator("td").first().textContent()).toBe("new visitors");
    expect(await page.locator("figure.chart").first().locator("rect.bar").count()).toBe(k);
    let total = 0;
    for (let i = 0; i < k; i++) {
      total += Number((await rows.nth(i).locator("td").nth(1).textContent())!.replaceAll(",", ""));
      expect((await rows.nth(i).locator("td").nth(3).textContent())!.length).toBeGreaterThan(5);
    }
    expect(total).toBeGreaterThan(50);
    expect(await page.locator(".verdict").getAttribute("data-structure")).toMatch(/^(none|weak|reasonable|strong)$/);
    // The PCA projection the retrain stored, one point per sampled visitor.
    expect(await page.locator("figure.chart-scatter circle.pt").count()).toBeGreaterThan(20);
    expect(await page.locator("table.candidates tbody tr.chosen").count()).toBe(1);
    await shot(page, "segments");
    await done(page);
  });

  it("sites and keys: prefixes only, and a rotation shows the new key once", async () => {
    const page = await signedIn();
    await page.goto(`${base}/admin/ui/sites`);
    const demo = page.locator(`section[data-site="${DEMO_SITE_ID}"]`);
    expect(await demo.locator("table.keys tbody tr").count()).toBeGreaterThanOrEqual(3);
    const html = await page.content();
    expect(html).not.toContain(DEMO_SERVER_KEY);
    expect(await demo.locator('tr[data-kind="server"] code').first().textContent()).toBe(`${DEMO_SERVER_KEY.slice(0, 7)}…`);
    await shot(page, "sites");

    const site = page.locator(`section[data-site="${ROTATE_SITE}"]`);
    const before = await site.locator('tr[data-kind="write"]').count();
    await Promise.all([page.waitForURL(`${base}/admin/ui/sites/${ROTATE_SITE}/keys/rotate`), site.locator("form", { hasText: "Rotate public write key" }).locator("button").click()]);
    const shown = (await page.textContent("#rotated code.mono"))!;
    expect(shown).toMatch(/^pk_/);
    expect(await site.locator('tr[data-kind="write"]').count()).toBe(before + 1);
    expect(await site.locator('tr[data-kind="write"] code').allTextContents()).toContain(`${shown.slice(0, 7)}…`);
    // The new key is shown on this answer only: the sites page lists its prefix again.
    await page.goto(`${base}/admin/ui/sites`);
    expect(await page.content()).not.toContain(shown);
    await done(page);
  });
});
