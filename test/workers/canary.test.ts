// Canary model rollout (issue 10 part 4): a canary's share of visitors is served its version, the guardrail
// promotes a good one, rolls back a bad one and waits below the minimum sample, and every decision is recorded
// and listed; the rollback endpoint and the retrain policy.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { inCanary } from "../../src/models/canary";
import type { Manifest, ModelVersion } from "../../src/models/manifest";
import { canaryEvaluationSchema, modelsAnswerSchema, rollbackAnswerSchema } from "../../src/openapi/responses";
import { decodeExposure } from "../../src/recommend/exposure";
import type { ModelsView } from "../../src/routes/admin-models";
import { RETRAIN_CRON, TRENDING_CRON } from "../../src/scheduled";
import { kvKeys } from "../../src/storage/kv-keys";
import { clearModelCaches } from "../../src/storage/model-store";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

const HOUR = 3_600_000;
const ITEMS = ["a", "b", "c", "d", "e", "f", "x", "y"];

type Served = { recommendationId: string; modelVersion: string | null };
type Evaluation = { decision: string; canary: string; current: string; figures: { rule: string; pValue: number | null; canary: { impressions: number; ctr: number | null }; current: { impressions: number } }; record: { id: number } | null };

/** A site with a catalog, browsing history, a trained model (v1) and a guardrail minimum of `minImpressions`. */
async function siteWithModel(minImpressions = 60, policy: Record<string, unknown> = {}): Promise<{ site: TestSite; v1: ModelVersion }> {
  const site = await createSite();
  await putItems(site, ITEMS.map((id) => ({ id, title: id })));
  const t0 = Date.now() - 2 * HOUR;
  const events: Record<string, unknown>[] = [];
  for (let s = 0; s < 12; s++) {
    const walk = s % 3 === 2 ? ["x", "y"] : ["a", "b", "c", "d"];
    walk.forEach((itemId, i) => events.push(event({ sessionId: `h-${s}`, anonymousId: `h${s}`, itemId, ts: t0 + s * 1000 + i * 10 })));
  }
  expect((await postEvents(site, events, { headers: serverHeaders(site) })).status).toBe(200);
  await putConfig(site, { canary: { minImpressions, ...policy } });
  const res = await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN });
  expect(res.status).toBe(201);
  return { site, v1: (await res.json<{ version: ModelVersion }>()).version };
}

async function putConfig(site: TestSite, config: Record<string, unknown>): Promise<void> {
  const res = await exports.default.fetch(`${BASE}/admin/sites/${site.id}/config`, { method: "PUT", headers: { ...ADMIN, "content-type": "application/json" }, body: JSON.stringify(config) });
  expect(res.status).toBe(200);
}

function post(path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { ...ADMIN, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function startCanary(site: TestSite, body: unknown): Promise<ModelsView> {
  const res = await post(`/admin/models/${site.id}/canary`, body);
  expect(res.status, await res.clone().text()).toBe(201);
  // Other isolates see a new manifest within the cache TTL; this one must see it now.
  clearModelCaches();
  return documented(await res.json<ModelsView>(), modelsAnswerSchema);
}

/** Answers match their OpenAPI schemas strictly (as test/workers/openapi.test.ts checks its routes). */
function documented<T>(body: T, schema: { safeParse(x: unknown): { success: boolean; error?: { issues: unknown[] } } }): T {
  const parsed = schema.safeParse(body);
  expect(parsed.success ? [] : parsed.error!.issues).toEqual([]);
  return body;
}

async function models(site: TestSite): Promise<ModelsView> {
  const res = await get(`/admin/models?site=${site.id}`, ADMIN);
  expect(res.status).toBe(200);
  return documented(await res.json<ModelsView>(), modelsAnswerSchema);
}

async function serve(site: TestSite, anonymousId: string): Promise<Served> {
  const res = await get(`/v1/recommendations?anonymousId=${anonymousId}&itemId=a&k=3`, { "x-edgerec-key": site.key });
  expect(res.status).toBe(200);
  return res.json<Served>();
}

async function evaluate(site: TestSite): Promise<Evaluation> {
  const res = await post(`/admin/models/${site.id}/canary/evaluate`);
  expect(res.status, await res.clone().text()).toBe(200);
  clearModelCaches();
  return documented(await res.json<Evaluation>(), canaryEvaluationSchema);
}

/** Visitors of each arm: the first `n` anonymous ids the canary's hash puts inside and outside its share. */
function arms(canary: string, share: number, n: number): { inside: string[]; outside: string[] } {
  const inside: string[] = [];
  const outside: string[] = [];
  for (let i = 0; inside.length < n || outside.length < n; i++) {
    const id = `anon-${i}`;
    (inCanary(canary, share, id) ? inside : outside).push(id);
  }
  return { inside: inside.slice(0, n), outside: outside.slice(0, n) };
}

/** `impressions` impressions of the list `recId`, `clicks` of them clicked, sent as the site's backend would. */
async function exposures(site: TestSite, recId: string, impressions: number, clicks: number): Promise<void> {
  const t = Date.now() - 60_000;
  const ctx = { recommendationId: recId, slot: "home" };
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < impressions; i++) {
    const itemId = ITEMS[i % ITEMS.length]!;
    events.push(event({ type: "impression", itemId, anonymousId: `e${i}`, sessionId: `es${i}`, ts: t, context: ctx }));
    if (i < clicks) events.push(event({ type: "click", itemId, anonymousId: `e${i}`, sessionId: `es${i}`, ts: t + 1, context: ctx }));
  }
  const res = await postEvents(site, events, { headers: serverHeaders(site) });
  expect(res.status).toBe(200);
}

describe("canary serving", () => {
  it("serves the canary version to its share of visitors, the same visitors every time, and the rest the current one", async () => {
    const { site, v1 } = await siteWithModel();
    const view = await startCanary(site, { build: "random", share: 0.5 });
    const canary = view.canary!.version;
    expect(view.current!.version).toBe(v1.version);
    expect(view.canary).toMatchObject({ share: 0.5 });
    expect(view.versions.find((v) => v.version === canary)).toMatchObject({ state: "canary", metrics: { mode: "random", randomOf: v1.version } });

    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const id = `visitor-${i}`;
      const first = await serve(site, id);
      const expected = inCanary(canary, 0.5, id) ? canary : v1.version;
      expect(first.modelVersion, id).toBe(expected);
      // The exposure token carries the served version, so the rollups count it under the canary.
      expect(decodeExposure(first.recommendationId)?.modelVersion).toBe(expected);
      expect((await serve(site, id)).modelVersion, `${id} again`).toBe(expected);
      seen.add(expected);
    }
    expect(seen.size).toBe(2);
    // Without a visitor key (an item's similar list), the current version.
    const similar = await get(`/v1/items/a/similar?k=3`, { "x-edgerec-key": site.key });
    expect((await similar.json<Served>()).modelVersion).toBe(v1.version);
  });
});

describe("canary guardrail", () => {
  it("waits below the minimum, then rolls back a bad canary; the decision is recorded and listed, and serving returns to current", async () => {
    const { site, v1 } = await siteWithModel(60);
    const canary = (await startCanary(site, { build: "random", share: 0.5 })).canary!.version;
    const { inside, outside } = arms(canary, 0.5, 1);
    const bad = await serve(site, inside[0]!);
    const good = await serve(site, outside[0]!);
    expect(bad.modelVersion).toBe(canary);
    expect(good.modelVersion).toBe(v1.version);

    await exposures(site, bad.recommendationId, 40, 0);
    await exposures(site, good.recommendationId, 40, 12);
    const early = await evaluate(site);
    expect(early).toMatchObject({ decision: "none", canary, current: v1.version, figures: { rule: "insufficient", canary: { impressions: 40 }, current: { impressions: 40 } }, record: null });
    expect((await models(site)).decisions).toEqual([]);

    await exposures(site, bad.recommendationId, 40, 0);
    await exposures(site, good.recommendationId, 40, 12);
    const e = await evaluate(site);
    expect(e).toMatchObject({ decision: "rolled_back", figures: { rule: "significantly_worse", canary: { impressions: 80, ctr: 0 }, current: { impressions: 80 } } });
    expect(e.figures.pValue!).toBeLessThan(0.05);

    const view = await models(site);
    expect(view.current!.version).toBe(v1.version);
    expect(view.canary).toBeNull();
    expect(view.versions.find((v) => v.version === canary)?.state).toBe("rolled_back");
    expect(view.decisions).toHaveLength(1);
    expect(view.decisions[0]).toMatchObject({
      id: e.record!.id,
      siteId: site.id,
      decision: "rolled_back",
      version: canary,
      againstVersion: v1.version,
      servedAfter: v1.version,
      rule: "significantly_worse",
      trigger: "admin",
      figures: { canary: { impressions: 80, clicks: 0 }, current: { impressions: 80, clicks: 24 }, share: 0.5 },
    });
    expect(Math.abs(view.decisions[0]!.decidedAt - Date.now())).toBeLessThan(60_000);
    expect((await serve(site, inside[0]!)).modelVersion).toBe(v1.version);

    // Nothing pending any more.
    const none = await post(`/admin/models/${site.id}/canary/evaluate`);
    expect(none.status).toBe(409);
    expect((await none.json<ErrorJson>()).error.code).toBe("no_canary");
  });

  it("the 10-minute cron promotes a canary that is not worse", async () => {
    const { site, v1 } = await siteWithModel(60);
    const canary = (await startCanary(site, { share: 0.5 })).canary!.version;
    expect(canary).not.toBe(v1.version);
    const { inside, outside } = arms(canary, 0.5, 1);
    await exposures(site, (await serve(site, inside[0]!)).recommendationId, 100, 26);
    await exposures(site, (await serve(site, outside[0]!)).recommendationId, 100, 25);

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: TRENDING_CRON }), env, ctx);
    await waitOnExecutionContext(ctx);
    clearModelCaches();

    const view = await models(site);
    expect(view.current!.version).toBe(canary);
    expect(view.canary).toBeNull();
    expect(view.decisions[0]).toMatchObject({ decision: "promoted", version: canary, againstVersion: v1.version, servedAfter: canary, rule: "not_worse", trigger: "cron" });
    expect((await serve(site, outside[0]!)).modelVersion).toBe(canary);
  });
});

describe("POST /admin/models/:site/rollback", () => {
  it("rolls back the pending canary first, then the served version, then refuses", async () => {
    const { site, v1 } = await siteWithModel();
    const v2 = (await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN }).then((r) => r.json<{ version: ModelVersion }>())).version;
    const canary = (await startCanary(site, { share: 0.2 })).canary!;
    expect(canary).toMatchObject({ share: 0.2 });
    expect([v1.version, v2.version]).not.toContain(canary.version);

    const first = await post(`/admin/models/${site.id}/rollback`);
    expect(first.status).toBe(200);
    const a = documented(await first.json<{ current: ModelVersion; decision: { decision: string; version: string; trigger: string; rule: string } }>(), rollbackAnswerSchema);
    expect(a.current.version).toBe(v2.version);
    expect(a.decision).toMatchObject({ decision: "rolled_back", version: canary.version, trigger: "manual", rule: "manual" });

    // The legacy path is the same rollback.
    const second = await post(`/admin/models/rollback?site=${site.id}`);
    expect(second.status).toBe(200);
    expect((await second.json<{ current: ModelVersion }>()).current.version).toBe(v1.version);
    const third = await post(`/admin/models/${site.id}/rollback`);
    expect(third.status).toBe(409);
    expect((await third.json<ErrorJson>()).error.code).toBe("no_previous_version");
    expect((await models(site)).decisions.map((d) => [d.version, d.servedAfter])).toEqual([
      [v2.version, v1.version],
      [canary.version, v2.version],
    ]);
  });

  it("404s an unknown site and 400s a malformed one", async () => {
    expect((await post(`/admin/models/nope-${crypto.randomUUID().slice(0, 6)}/rollback`)).status).toBe(404);
    const bad = await post(`/admin/models/Bad%20Site/rollback`);
    expect(bad.status).toBe(400);
    expect((await exports.default.fetch(`${BASE}/admin/models/x/rollback`, { method: "POST" })).status).toBe(401);
  });
});

describe("POST /admin/models/:site/canary", () => {
  it("validates the body and refuses what cannot be a canary", async () => {
    const { site, v1 } = await siteWithModel();
    const tooMuch = await post(`/admin/models/${site.id}/canary`, { share: 0.9 });
    expect(tooMuch.status).toBe(400);
    expect((await tooMuch.json<ErrorJson>()).error.issues?.[0]?.path).toBe("share");
    const both = await post(`/admin/models/${site.id}/canary`, { version: v1.version, build: "random" });
    expect((await both.json<ErrorJson>()).error.issues?.[0]?.path).toBe("build");
    const current = await post(`/admin/models/${site.id}/canary`, { version: v1.version });
    expect(current.status).toBe(409);
    expect((await current.json<ErrorJson>()).error.code).toBe("version_is_current");
    const unknown = await post(`/admin/models/${site.id}/canary`, { version: "vnope" });
    expect(unknown.status).toBe(404);

    await startCanary(site, { build: "random" });
    const pending = await post(`/admin/models/${site.id}/canary`, { build: "random" });
    expect(pending.status).toBe(409);
    expect((await pending.json<ErrorJson>()).error.code).toBe("canary_pending");

    const fresh = await createSite();
    const noModel = await post(`/admin/models/${fresh.id}/canary`, { build: "random" });
    expect(noModel.status).toBe(409);
    expect((await noModel.json<ErrorJson>()).error.code).toBe("no_model");
  });

  it("uses the site policy's share, and the hourly retrain publishes as a canary under a retrain policy (then waits on it)", async () => {
    const { site, v1 } = await siteWithModel(60, { retrain: true, share: 0.25 });
    const run = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: RETRAIN_CRON }), env, ctx);
      await waitOnExecutionContext(ctx);
      return env.MODELS.get<Manifest>(kvKeys.manifest(site.id), "json");
    };
    const m = (await run())!;
    expect(m.current.version).toBe(v1.version);
    expect(m.canary).toMatchObject({ share: 0.25 });
    const again = (await run())!;
    expect(again.canary).toEqual(m.canary);
    expect(again.versions.map((v) => v.version)).toEqual(m.versions.map((v) => v.version));
  });
});
