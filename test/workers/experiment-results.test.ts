// Experiment results (issue 10 part 5) and the rest of part 3: GET /admin/experiments/:id/results over real
// rollups (refusing a winner below the minimum sample, flagging a skewed split), experiments on /v1/sessions/:id/next
// and /v1/items/:id/similar, and a variant that pins a stored model version.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EXPERIMENT_MIN_IMPRESSIONS_PER_VARIANT } from "../../src/config/limits";
import type { ExperimentResults } from "../../src/recommend/experiment-results";
import { assignVariant } from "../../src/recommend/experiments";
import { decodeExposure, exposureDay } from "../../src/recommend/exposure";
import type { Variant } from "../../src/schemas/experiments";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

type Results = ExperimentResults & { site: string; status: string; slot: string | null };
type List = { recommendationId: string; modelVersion: string | null; items: { id: string; reason: { kind: string } }[] };

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, {
    method,
    headers: { ...ADMIN, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const VARIANTS: Variant[] = [
  { name: "control", weight: 1, change: { control: true } },
  { name: "model", weight: 1, change: {} },
];

async function experiment(site: TestSite, slots: string[], variants: Variant[] = VARIANTS): Promise<string> {
  const exp = `e${crypto.randomUUID().slice(0, 8)}`;
  expect((await admin("PUT", `/admin/experiments/${exp}?site=${site.id}`, { slots, variants })).status).toBe(201);
  expect((await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`)).status).toBe(200);
  return exp;
}

function visitorIn(exp: string, variant: string, prefix: string, variants: Variant[] = VARIANTS): string {
  for (let i = 0; ; i++) if (assignVariant(exp, variants, `${prefix}-${i}`).name === variant) return `${prefix}-${i}`;
}

async function results(site: TestSite, exp: string, query = ""): Promise<Results> {
  const res = await get(`/admin/experiments/${exp}/results?site=${site.id}${query}`, ADMIN);
  expect(res.status).toBe(200);
  return res.json<Results>();
}

/** Ingest may count rollups after it answers: poll the results until `done` holds (bounded). */
async function settledResults(site: TestSite, exp: string, done: (r: Results) => boolean): Promise<Results> {
  for (let attempt = 0; ; attempt++) {
    const r = await results(site, exp);
    if (done(r) || attempt >= 100) return r;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rollup rows of a past experiment's traffic, stored as ingest stores them (for samples too big to send here). */
async function storeRollups(site: TestSite, rows: { variant: string; visitors?: number; lists: number; impressions: number; clicks: number; purchases?: number; revenue?: number; revenueSq?: number }[]): Promise<void> {
  await env.DB.batch(
    rows.map((r) =>
      env.DB.prepare(
        `INSERT INTO rec_rollups (site_id, day, slot, variant, model_version, lists_served, impressions, clicked_impressions, clicks, carts, purchases, revenue, revenue_sq, visitors)
         VALUES (?, '2026-01-01', 'home', ?, 'v1', ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
      ).bind(site.id, r.variant, r.lists, r.impressions, r.clicks, r.clicks, r.purchases ?? 0, r.revenue ?? 0, r.revenueSq ?? 0, r.visitors ?? r.lists),
    ),
  );
}

describe("GET /admin/experiments/:id/results", () => {
  it("counts real impressions and clicks per variant and refuses a winner below the minimum sample", async () => {
    const site = await createSite();
    expect((await admin("PUT", `/admin/sites/${site.id}/config`, { allowUncatalogued: true })).status).toBe(200);
    const views = ["a", "b", "c"].flatMap((who) => ["sku-1", "sku-2", "sku-3"].map((itemId) => event({ anonymousId: `v-${who}`, sessionId: `s-${who}`, itemId })));
    expect((await postEvents(site, views)).status).toBe(200);
    const exp = await experiment(site, ["home"]);
    const t = Date.now() - 60_000;
    // Six visitors per arm, two lists each (two batches: a visitor counts once across them), 3 item impressions a
    // list; the model arm clicks every impression, the control none: an overwhelming difference, on far too few
    // impressions to be called.
    for (const round of [0, 1]) {
      const sent: Record<string, unknown>[] = [];
      for (const name of ["control", "model"]) {
        for (let i = 0; i < 6; i++) {
          const anon = visitorIn(exp, name, `${name}-${i}-x`);
          const list = await (await get(`/v1/recommendations?slot=home&k=3&anonymousId=${anon}`, { "x-edgerec-key": site.key })).json<List>();
          expect(decodeExposure(list.recommendationId)?.variant).toBe(`${exp}:${name}`);
          expect(list.items).toHaveLength(3);
          const ctx = { recommendationId: list.recommendationId, slot: "home" };
          for (const item of list.items) {
            sent.push(event({ type: "impression", anonymousId: anon, sessionId: `s-${anon}`, itemId: item.id, ts: t + round, context: ctx }));
            if (name === "model") sent.push(event({ type: "click", anonymousId: anon, sessionId: `s-${anon}`, itemId: item.id, ts: t + 1000 + round, context: ctx }));
          }
        }
      }
      // Many visitors in one batch: the backend's server key (a browser batch names one visitor).
      const ingest = await postEvents(site, sent, { headers: serverHeaders(site) });
      expect(ingest.status, await ingest.clone().text()).toBe(200);
    }
    const r = await settledResults(site, exp, (x) => x.variants.every((v) => v.impressions === 36));
    const [control, model] = r.variants;
    expect(control).toMatchObject({ name: "control", control: true, visitors: 6, listsServed: 12, impressions: 36, clicks: 0, vsControl: null });
    expect(model).toMatchObject({ name: "model", visitors: 6, listsServed: 12, impressions: 36, clicks: 36 });
    expect(model!.ctr.value).toBe(1);
    expect(model!.ctr.low).toBeGreaterThan(0.9); // Wilson at 36/36
    expect(model!.vsControl!.ctr.pValue).toBeLessThan(1e-6);
    expect(model!.vsControl!.ctr.significant).toBe(false);
    expect(r).toMatchObject({ control: "control", sampleSufficient: false, verdict: "insufficient_sample", winner: null, minImpressionsPerVariant: EXPERIMENT_MIN_IMPRESSIONS_PER_VARIANT });
    expect(r.srm.mismatch).toBe(false);
  });

  it("names a winner above the minimum sample, and flags a skewed split (SRM) instead of calling it", async () => {
    const site = await createSite();
    const exp = await experiment(site, ["home"]);
    const n = EXPERIMENT_MIN_IMPRESSIONS_PER_VARIANT * 5;
    await storeRollups(site, [
      { variant: `${exp}:control`, lists: 1250, impressions: n, clicks: Math.round(n * 0.04), purchases: 20, revenue: 1000, revenueSq: 60_000 },
      { variant: `${exp}:model`, lists: 1260, impressions: n, clicks: Math.round(n * 0.07), purchases: 40, revenue: 2000, revenueSq: 120_000 },
      { variant: "other:model", lists: 99_999, impressions: 99_999, clicks: 99_999 },
    ]);
    const r = await results(site, exp);
    expect(r.variants.map((v) => v.impressions)).toEqual([n, n]);
    expect(r.srm.pValue).toBeGreaterThan(0.001);
    expect(r).toMatchObject({ sampleSufficient: true, verdict: "winner", winner: "model" });
    const vs = r.variants[1]!.vsControl!;
    expect(vs.ctr.significant).toBe(true);
    expect(vs.ctr.difference.low).toBeGreaterThan(0);
    expect(vs.ctr.lift!.estimate).toBeCloseTo(0.75, 2);
    expect(r.variants[1]!.revenuePerImpression.value).toBeCloseTo(2000 / n, 9);

    const skewed = await experiment(site, ["home"]);
    await storeRollups(site, [
      { variant: `${skewed}:control`, lists: 1000, impressions: n, clicks: Math.round(n * 0.04) },
      { variant: `${skewed}:model`, lists: 1200, impressions: n, clicks: Math.round(n * 0.07) },
    ]);
    const s = await results(site, skewed);
    expect(s.srm.mismatch).toBe(true);
    expect(s.srm.pValue).toBeLessThan(0.001);
    expect(s.srm.observed).toEqual({ control: 1000, model: 1200 }); // visitors
    expect(s).toMatchObject({ verdict: "sample_ratio_mismatch", winner: null });
    expect(s.variants[1]!.vsControl!.ctr.significant).toBe(false);
  });

  it("404s an unknown experiment or site, 400s a slot the experiment does not cover", async () => {
    const site = await createSite();
    const exp = await experiment(site, ["home"]);
    expect((await get(`/admin/experiments/nope/results?site=${site.id}`, ADMIN)).status).toBe(404);
    expect((await get(`/admin/experiments/${exp}/results?site=s-none`, ADMIN)).status).toBe(404);
    const bad = await get(`/admin/experiments/${exp}/results?site=${site.id}&slot=cart`, ADMIN);
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues?.[0]?.path).toBe("slot");
    expect((await get(`/admin/experiments/${exp}/results?site=${site.id}`)).status).toBe(401);
    expect((await results(site, exp, "&slot=home")).verdict).toBe("insufficient_sample");
  });
});

describe("experiments on /next and /similar, and a pinned model version", () => {
  async function trainedSite(): Promise<TestSite> {
    const site = await createSite();
    await putItems(site, ["a", "b", "c", "d"].map((id) => ({ id, title: id })));
    const h = Date.now() - 2 * 3_600_000;
    const history = [0, 1, 2].flatMap((s) => ["a", "b", "c", "d"].map((itemId, i) => event({ anonymousId: `h${s}`, sessionId: `hs${s}`, itemId, ts: h + s * 100 + i })));
    expect((await postEvents(site, history, { headers: serverHeaders(site) })).status).toBe(200);
    return site;
  }
  const retrain = async (site: TestSite) => {
    const res = await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}&scratch=true`, { method: "POST", headers: ADMIN });
    expect(res.status).toBe(201);
    return (await res.json<{ version: { version: string } }>()).version.version;
  };

  it("applies the running experiment on slots next and similar, keyed by anonymousId (none: the control)", async () => {
    const site = await trainedSite();
    await retrain(site);
    const exp = await experiment(site, ["next", "similar"]);
    await postEvents(site, [event({ anonymousId: "p", sessionId: "sp", itemId: "a" })]);
    const inModel = visitorIn(exp, "model", "n");
    const inControl = visitorIn(exp, "control", "n");
    const next = await (await get(`/v1/sessions/sp/next?anonymousId=${inModel}`, { "x-edgerec-key": site.key })).json<List>();
    expect(decodeExposure(next.recommendationId)).toMatchObject({ slot: "next", variant: `${exp}:model` });
    const nextControl = await (await get(`/v1/sessions/sp/next?anonymousId=${inControl}`, { "x-edgerec-key": site.key })).json<List>();
    expect(decodeExposure(nextControl.recommendationId)?.variant).toBe(`${exp}:control`);
    for (const item of nextControl.items) expect(item.reason.kind).toBe("trending");
    const noKey = await (await get(`/v1/sessions/sp/next`, { "x-edgerec-key": site.key })).json<List>();
    expect(decodeExposure(noKey.recommendationId)?.variant).toBe(`${exp}:control`);
    const similar = await (await get(`/v1/items/a/similar?anonymousId=${inModel}`, { "x-edgerec-key": site.key })).json<List>();
    expect(decodeExposure(similar.recommendationId)).toMatchObject({ slot: "similar", variant: `${exp}:model` });
    const bad = await get(`/v1/items/a/similar?anonymousId=${"x".repeat(1000)}`, { "x-edgerec-key": site.key });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues?.[0]?.path).toBe("anonymousId");
  });

  it("a variant pins a kept model version (validated at PUT) and its lists are served from it", async () => {
    const site = await trainedSite();
    const old = await retrain(site);
    await postEvents(site, [event({ anonymousId: "h9", sessionId: "hs9", itemId: "d" }), event({ anonymousId: "h9", sessionId: "hs9", itemId: "a" })], { headers: serverHeaders(site) });
    const current = await retrain(site);
    expect(current).not.toBe(old);
    const unknown = await admin("PUT", `/admin/experiments/pin1?site=${site.id}`, {
      slots: ["home"],
      variants: [VARIANTS[0], { name: "old", weight: 1, change: { modelVersion: "v-nope" } }],
    });
    expect(unknown.status).toBe(400);
    expect((await unknown.json<ErrorJson>()).error.issues?.[0]?.path).toBe("variants[1].change.modelVersion");
    const variants: Variant[] = [
      { name: "current", weight: 1, change: {} },
      { name: "old", weight: 1, change: { modelVersion: old } },
    ];
    const exp = await experiment(site, ["home"], variants);
    const serve = async (anon: string) => (await get(`/v1/recommendations?slot=home&anonymousId=${anon}&itemId=a`, { "x-edgerec-key": site.key })).json<List>();
    const pinned = await serve(visitorIn(exp, "old", "pin", variants));
    expect(pinned.modelVersion).toBe(old);
    expect(decodeExposure(pinned.recommendationId)).toMatchObject({ variant: `${exp}:old`, modelVersion: old });
    const now = await serve(visitorIn(exp, "current", "pin", variants));
    expect(now.modelVersion).toBe(current);
    expect(exposureDay(decodeExposure(now.recommendationId)!)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // A pinned version is no site-config setting: a winner that pins one lists it as not applied.
    const won = await admin("POST", `/admin/experiments/${exp}/winner?site=${site.id}`, { variant: "old" });
    expect((await won.json<{ notApplied: string[] }>()).notApplied).toEqual(["modelVersion"]);
  });
});
