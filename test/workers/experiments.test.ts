// Experiments (issue 10 part 3): /admin/experiments validation and lifecycle, deterministic sticky assignment on
// GET /v1/recommendations, the trending-only control, the winner written into the site config, and rollups per variant.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_EXPERIMENT_VARIANTS } from "../../src/config/limits";
import { assignVariant } from "../../src/recommend/experiments";
import { decodeExposure, exposureDay } from "../../src/recommend/exposure";
import type { Variant } from "../../src/schemas/experiments";
import type { MetricsRow } from "../../src/storage/rollups-repo";
import { ADMIN, BASE, createSite, event, get, postEvents, userHash, type ErrorJson, type TestSite } from "./helpers";

type ExperimentView = { id: string; status: string; winner: string | null; variants: Variant[] };
type List = { recommendationId: string; personalized: boolean; items: { id: string; reason: { kind: string } }[] };

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, {
    method,
    headers: { ...ADMIN, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const VARIANTS = [
  { name: "control", weight: 1, change: { control: true } },
  { name: "boosted", weight: 1, change: { weights: { trending: 3 }, rules: { excludeViewed: true } } },
] as const;
const PARSED: Variant[] = VARIANTS.map((v) => ({ name: v.name, weight: v.weight, change: { ...v.change } }) as Variant);

async function setup(): Promise<{ site: TestSite; exp: string }> {
  const site = await createSite();
  const cfg = await admin("PUT", `/admin/sites/${site.id}/config`, { slots: { home: { k: 4 } }, allowUncatalogued: true });
  expect(cfg.status).toBe(200);
  // Trending needs several visitors.
  const views = ["a", "b", "c", "d", "e"].flatMap((who) => ["sku-1", "sku-2", "sku-3"].map((itemId) => event({ anonymousId: `v-${who}`, sessionId: `s-${who}`, itemId })));
  expect((await postEvents(site, views)).status).toBe(200);
  const exp = `e${crypto.randomUUID().slice(0, 8)}`;
  const put = await admin("PUT", `/admin/experiments/${exp}?site=${site.id}`, { slots: ["home"], variants: VARIANTS });
  expect(put.status).toBe(201);
  return { site, exp };
}

async function serve(site: TestSite, query: string): Promise<List> {
  const res = await get(`/v1/recommendations?slot=home&${query}`, { "x-edgerec-key": site.key });
  expect(res.status).toBe(200);
  return res.json<List>();
}

/** An anonymous id the experiment puts in `variant`. */
function visitorIn(exp: string, variant: string, prefix: string): string {
  for (let i = 0; ; i++) if (assignVariant(exp, PARSED, `${prefix}-${i}`).name === variant) return `${prefix}-${i}`;
}

describe("PUT /admin/experiments/:id", () => {
  it("400s name the field: too few variants, duplicate names, bad weight, unknown source, conflicting rules, limit", async () => {
    const site = await createSite();
    const cases: [unknown, string][] = [
      [{ slots: ["home"], variants: [VARIANTS[0]] }, "variants"],
      [{ slots: ["home"], variants: [VARIANTS[0], { ...VARIANTS[1], name: "control" }] }, "variants[1].name"],
      [{ slots: ["home"], variants: [VARIANTS[0], { ...VARIANTS[1], weight: 0 }] }, "variants[1].weight"],
      [{ slots: ["home"], variants: [VARIANTS[0], { name: "x", weight: 1, change: { sources: ["nope"] } }] }, "variants[1].change.sources[0]"],
      [{ slots: ["home"], variants: [VARIANTS[0], { name: "x", weight: 1, change: { rules: { excludeViewed: true, includeViewed: true } } }] }, "variants[1].change.rules"],
      [{ slots: ["Home!"], variants: VARIANTS }, "slots[0]"],
      [{ slots: ["home"], variants: Array.from({ length: MAX_EXPERIMENT_VARIANTS + 1 }, (_, i) => ({ name: `v${i}`, weight: 1 })) }, "variants"],
      [{ slots: ["home"], variants: VARIANTS, status: "running" }, "status"],
    ];
    for (const [body, path] of cases) {
      const res = await admin("PUT", `/admin/experiments/e1?site=${site.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json<ErrorJson>()).error.issues?.[0]?.path.startsWith(path), path).toBe(true);
    }
    expect((await admin("PUT", `/admin/experiments/e1?site=s-none`, { slots: ["home"], variants: VARIANTS })).status).toBe(404);
    expect((await admin("GET", `/admin/experiments/e1?site=${site.id}`)).status).toBe(404);
  });
});

describe("experiment serving", () => {
  it("assigns variants deterministically and stickily, carries them in the recommendation id, and stops", async () => {
    const { site, exp } = await setup();
    // Before start: no variant.
    expect(decodeExposure((await serve(site, "anonymousId=x")).recommendationId)?.variant).toBe("none");
    const started = await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`);
    expect(started.status).toBe(200);
    expect((await started.json<ExperimentView>()).status).toBe("running");
    expect((await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`)).status).toBe(409);

    const a = visitorIn(exp, "control", "anon");
    const b = visitorIn(exp, "boosted", "anon");
    expect(decodeExposure((await serve(site, `anonymousId=${a}`)).recommendationId)?.variant).toBe(`${exp}:control`);
    expect(decodeExposure((await serve(site, `anonymousId=${b}`)).recommendationId)?.variant).toBe(`${exp}:boosted`);
    // The same visitor again: the same variant.
    expect(decodeExposure((await serve(site, `anonymousId=${b}`)).recommendationId)?.variant).toBe(`${exp}:boosted`);

    // After identify, the user id is the key: the same variant on any device (anonymous id).
    const user = `u-${crypto.randomUUID().slice(0, 6)}`;
    const hash = await userHash(site, user);
    const expected = `${exp}:${assignVariant(exp, PARSED, user).name}`;
    for (const anon of [a, b, "another-device"]) {
      const list = await serve(site, `anonymousId=${anon}&userId=${user}&userHash=${hash}`);
      expect(decodeExposure(list.recommendationId)?.variant).toBe(expected);
    }

    // No visitor key: the control.
    expect(decodeExposure((await serve(site, "k=3")).recommendationId)?.variant).toBe(`${exp}:control`);

    const list = await admin("GET", `/admin/experiments?site=${site.id}`);
    expect((await list.json<{ experiments: ExperimentView[] }>()).experiments.map((e) => e.id)).toEqual([exp]);

    expect((await admin("POST", `/admin/experiments/${exp}/stop?site=${site.id}`)).status).toBe(200);
    expect(decodeExposure((await serve(site, `anonymousId=${b}`)).recommendationId)?.variant).toBe("none");
    expect((await admin("PUT", `/admin/experiments/${exp}?site=${site.id}`, { slots: ["home"], variants: VARIANTS })).status).toBe(409);
  });

  it("a warm isolate serves running experiments from its cache, not D1", async () => {
    const { site, exp } = await setup();
    await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`);
    const b = visitorIn(exp, "boosted", "w");
    expect(decodeExposure((await serve(site, `anonymousId=${b}`)).recommendationId)?.variant).toBe(`${exp}:boosted`);
    // Stopped behind the API's back: the cached copy still answers until EXPERIMENT_CACHE_MS passes.
    await env.DB.prepare("UPDATE experiments SET status = 'stopped' WHERE site_id = ? AND id = ?").bind(site.id, exp).run();
    expect(decodeExposure((await serve(site, `anonymousId=${b}`)).recommendationId)?.variant).toBe(`${exp}:boosted`);
  });

  it("the control serves trending only, not personalized", async () => {
    const { site, exp } = await setup();
    await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`);
    const a = visitorIn(exp, "control", "ctl");
    const list = await serve(site, `anonymousId=${a}&itemId=sku-1`);
    expect(decodeExposure(list.recommendationId)?.variant).toBe(`${exp}:control`);
    expect(list.personalized).toBe(false);
    expect(list.items.length).toBeGreaterThan(0);
    for (const item of list.items) expect(item.reason.kind).toBe("trending");
  });

  it("declaring a winner stops the experiment and writes its weights and rules into the slot config", async () => {
    const { site, exp } = await setup();
    expect((await admin("POST", `/admin/experiments/${exp}/winner?site=${site.id}`, { variant: "boosted" })).status).toBe(409);
    await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`);
    const bad = await admin("POST", `/admin/experiments/${exp}/winner?site=${site.id}`, { variant: "nope" });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues?.[0]?.path).toBe("variant");
    const res = await admin("POST", `/admin/experiments/${exp}/winner?site=${site.id}`, { variant: "boosted" });
    expect(res.status).toBe(200);
    const body = await res.json<{ experiment: ExperimentView; notApplied: string[] }>();
    expect(body.experiment).toMatchObject({ status: "stopped", winner: "boosted" });
    expect(body.notApplied).toEqual([]);
    const siteView = await (await admin("GET", `/admin/sites/${site.id}`)).json<{ config: { slots: Record<string, unknown>; weights?: Record<string, number> } }>();
    expect(siteView.config.slots.home).toEqual({ k: 4, excludeViewed: true });
    expect(siteView.config.weights).toEqual({ trending: 3 });
    expect(decodeExposure((await serve(site, "anonymousId=x")).recommendationId)?.variant).toBe("none");
    const one = await (await admin("GET", `/admin/experiments/${exp}?site=${site.id}`)).json<ExperimentView>();
    expect(one.winner).toBe("boosted");
  });

  it("an impression and a click carrying the id land in /admin/metrics under the variant", async () => {
    const { site, exp } = await setup();
    await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`);
    const b = visitorIn(exp, "boosted", "m");
    const recId = (await serve(site, `anonymousId=${b}`)).recommendationId;
    const day = exposureDay(decodeExposure(recId)!);
    const ctx = { recommendationId: recId, slot: "home" };
    const t = Date.now() - 60_000;
    const res = await postEvents(site, [
      event({ type: "impression", anonymousId: b, itemId: "sku-1", ts: t, context: ctx }),
      event({ type: "click", anonymousId: b, itemId: "sku-1", ts: t + 1000, context: ctx }),
    ]);
    expect(res.status).toBe(200);
    const m = await get(`/admin/metrics?site=${site.id}&from=${day}&to=${day}`, ADMIN);
    const rows = (await m.json<{ rows: MetricsRow[] }>()).rows;
    expect(rows).toEqual([expect.objectContaining({ slot: "home", variant: `${exp}:boosted`, impressions: 1, clicks: 1 })]);
  });
});
