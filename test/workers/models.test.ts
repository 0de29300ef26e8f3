import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Manifest, ModelVersion } from "../../src/models/manifest";
import { decodeExposure } from "../../src/recommend/exposure";
import { RETRAIN_CRON } from "../../src/scheduled";
import { sessionStub } from "../../src/session/session-client";
import { kvKeys } from "../../src/storage/kv-keys";
import { rewriteAsFormat1 } from "./format1";
import { ADMIN, BASE, createSite, event, get, postEvents, serverHeaders, type ErrorJson, type TestSite, putItems } from "./helpers";

type Recs = { recommendationId: string; modelVersion: string | null; items: { id: string; score: number; reason: { kind: string; itemId?: string; text: string }; title?: string }[] };

const HOUR = 3_600_000;

/**
 * Sessions that walk a → b → c and x → y, two hours ago (so a from-scratch count includes them). Their items (and
 * p, q of the live-session test) are in the catalog, titled by their ids: only catalogued items are served.
 */
async function seedHabits(site: TestSite, sessions = 12): Promise<void> {
  await putItems(site, ["a", "b", "c", "x", "y", "p", "q"].map((id) => ({ id, title: id })));
  const t0 = Date.now() - 2 * HOUR;
  const events: Record<string, unknown>[] = [];
  for (let s = 0; s < sessions; s++) {
    const sessionId = `hist-${s}-${crypto.randomUUID()}`;
    const walk = s % 3 === 2 ? ["x", "y"] : ["a", "b", "c"];
    walk.forEach((itemId, i) => events.push(event({ sessionId, anonymousId: `v${s}`, itemId, ts: t0 + s * 1000 + i * 10 })));
  }
  // Seeded as the site's backend would: one batch spanning more sessions than a browser's write key may.
  const res = await postEvents(site, events, { headers: serverHeaders(site) });
  expect(res.status).toBe(200);
}

async function retrain(site: TestSite, extra = ""): Promise<ModelVersion> {
  const res = await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}${extra}`, { method: "POST", headers: ADMIN });
  expect(res.status).toBe(201);
  return ((await res.json()) as { version: ModelVersion }).version;
}

describe("cron retrain", () => {
  it("the hourly cron trains every site and flips a new manifest in KV, shards first", async () => {
    const site = await createSite();
    await seedHabits(site);
    const controller = createScheduledController({ scheduledTime: new Date(), cron: RETRAIN_CRON });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const manifest = await env.MODELS.get<Manifest>(kvKeys.manifest(site.id), "json");
    expect(manifest).not.toBeNull();
    const v = manifest!.current;
    expect(v.metrics).toMatchObject({ mode: "scratch", sessions: 12 });
    expect(v.itemCount).toBe(5);
    for (let i = 0; i < v.nShards; i++) expect(await env.MODELS.get(kvKeys.shard(site.id, v.version, i), "arrayBuffer")).not.toBeNull();
    expect(await env.MODELS.get(kvKeys.trending(site.id, v.version), "arrayBuffer")).not.toBeNull();
    const listed = await (await get(`/admin/models?site=${site.id}`, ADMIN)).json<{ current: ModelVersion }>();
    expect(listed.current.version).toBe(v.version);
  });
});

describe("serving next items", () => {
  it("reflects the event just ingested: after a the next item is b, after x it is y", async () => {
    const site = await createSite();
    await seedHabits(site);
    const v = await retrain(site);
    const sessionId = `live-${crypto.randomUUID()}`;
    await postEvents(site, [event({ sessionId, itemId: "a" })]);
    const first = await (await get(`/v1/sessions/${sessionId}/next?k=3`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(first.modelVersion).toBe(v.version);
    expect(first.items[0]).toMatchObject({ id: "b", reason: { kind: "after", itemId: "a", text: "after a" } });
    expect(first.items.map((i) => i.id)).not.toContain("a");
    // An exposure token naming the slot and the served version (src/recommend/exposure.ts).
    expect(decodeExposure(first.recommendationId)).toMatchObject({ slot: "next", variant: "none", modelVersion: v.version });

    await postEvents(site, [event({ sessionId, itemId: "x", ts: Date.now() - 500 })]);
    const second = await (await get(`/v1/recommendations?sessionId=${sessionId}&k=3`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(second.items[0]!.id).toBe("y");
    expect(second.recommendationId).not.toBe(first.recommendationId);
  });

  it("filters unavailable items, uses catalog titles in reasons, and back-fills with trending", async () => {
    const site = await createSite();
    await seedHabits(site);
    await putItems(site, [
      { id: "a", title: "Alpha" },
      { id: "b", title: "Bravo", available: false },
    ]);
    await retrain(site);
    const sessionId = `live-${crypto.randomUUID()}`;
    await postEvents(site, [event({ sessionId, itemId: "a" })]);
    const recs = await (await get(`/v1/sessions/${sessionId}/next?k=4`, { "x-edgerec-key": site.key })).json<Recs>();
    const ids = recs.items.map((i) => i.id);
    // Five items exist: a is on screen, b is unavailable, so three remain.
    expect(ids.sort()).toEqual(["c", "x", "y"]);
    expect(recs.items.map((i) => i.id)[0]).toBe("c");
    expect(recs.items.find((i) => i.id === "c")).toMatchObject({ reason: { text: "after Alpha" } });
    expect(recs.items.some((i) => i.reason.kind === "trending")).toBe(true);
  });

  it("serves trending to a new session, even before any model exists", async () => {
    const site = await createSite();
    await seedHabits(site);
    const before = await (await get(`/v1/recommendations?k=2`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(before.modelVersion).toBeNull();
    expect(before.items.map((i) => i.reason.kind)).toEqual(["trending", "trending"]);
    await retrain(site);
    const after = await (await get(`/v1/recommendations?sessionId=never-seen&k=2`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(after.modelVersion).not.toBeNull();
    expect(after.items).toHaveLength(2);
  });

  it("scores a product page's item when the session does not have it yet", async () => {
    const site = await createSite();
    await seedHabits(site);
    await retrain(site);
    const recs = await (await get(`/v1/recommendations?itemId=b&k=2&slot=product`, { "x-edgerec-key": site.key })).json<Recs & { slot: string }>();
    expect(recs.slot).toBe("product");
    expect(recs.items[0]!.id).toBe("c");
  });

  it("serves similar items from the same artifact", async () => {
    const site = await createSite();
    await seedHabits(site);
    await retrain(site);
    const res = await get(`/v1/items/b/similar?k=2`, { "x-edgerec-key": site.key });
    expect(res.status).toBe(200);
    const recs = await res.json<Recs>();
    expect(recs.items.map((i) => i.id).sort()).toEqual(["a", "c"]);
    expect(recs.items.map((i) => i.id)).not.toContain("b");
  });

  it("rejects bad parameters naming them", async () => {
    const site = await createSite();
    const cases: [string, string][] = [
      ["/v1/recommendations?k=0", "k"],
      ["/v1/recommendations?k=101", "k"],
      ["/v1/recommendations?k=ten", "k"],
      ["/v1/recommendations?limt=5", "limt"],
      ["/v1/recommendations?slot=Home%20Page", "slot"],
      ["/v1/sessions/s1/next?k=-1", "k"],
      ["/v1/items/a/similar?n=3", "n"],
    ];
    for (const [path, field] of cases) {
      const res = await get(path, { "x-edgerec-key": site.key });
      expect(res.status, path).toBe(400);
      expect((await res.json<ErrorJson>()).error.issues?.[0]?.path, path).toBe(field);
    }
  });
});

describe("model versions", () => {
  it("rolls back to the previous version and refuses when there is none", async () => {
    const site = await createSite();
    await seedHabits(site);
    const v1 = await retrain(site);
    const v2 = await retrain(site);
    expect(v2.version).not.toBe(v1.version);
    const rollback = () => exports.default.fetch(`${BASE}/admin/models/rollback?site=${site.id}`, { method: "POST", headers: ADMIN });
    const res = await rollback();
    expect(res.status).toBe(200);
    expect(((await res.json()) as { current: ModelVersion }).current.version).toBe(v1.version);
    const served = await (await get(`/v1/recommendations?itemId=a&k=1`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(served.modelVersion).toBe(v1.version);
    const again = await rollback();
    expect(again.status).toBe(409);
    expect((await again.json<ErrorJson>()).error.code).toBe("no_previous_version");
  });

  it("validates admin model parameters", async () => {
    expect((await get(`/admin/models`, ADMIN)).status).toBe(400);
    expect((await get(`/admin/models?site=nope`, ADMIN)).status).toBe(404);
    expect((await get(`/admin/models?site=x`)).status).toBe(401);
  });
});

describe("online learning", () => {
  it("counts live sessions into deltas, flushes them at expiry, and retrains incrementally without double counting", async () => {
    const site = await createSite();
    await seedHabits(site);
    const v1 = await retrain(site);
    expect(v1.metrics).toMatchObject({ mode: "scratch", sessions: 12 });

    // A live session in the current hour: p → q, seen only through its Durable Object's increments.
    const sessionId = `live-${crypto.randomUUID()}`;
    await postEvents(site, [event({ sessionId, itemId: "p", ts: Date.now() - 300 }), event({ sessionId, itemId: "q", ts: Date.now() - 200 })]);
    const stub = sessionStub(env, site.id, sessionId);
    // Counting is deferred to the flush: nothing reached D1 yet while the session is live.
    const early = await env.DB.prepare("SELECT COUNT(*) AS n FROM model_deltas WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(early!.n).toBe(0);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE meta SET value = json_set(value, '$.lastEventAt', ?) WHERE key = 'session'", Date.now() - 31 * 60_000);
    });
    await runDurableObjectAlarm(stub);
    const flushed = await env.DB.prepare("SELECT COUNT(*) AS n FROM model_deltas WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(flushed!.n).toBeGreaterThan(0);

    const v2 = await retrain(site);
    expect(v2.metrics).toMatchObject({ mode: "incremental", sessions: 13 });
    expect(v2.watermark).toBeGreaterThan(0);
    const consumed = await env.DB.prepare("SELECT COUNT(*) AS n FROM model_deltas WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(consumed!.n).toBe(0);
    const recs = await (await get(`/v1/recommendations?itemId=p&k=1`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(recs.items[0]).toMatchObject({ id: "q", reason: { kind: "after" } });

    // Running it again changes nothing: the snapshot already holds every counted step.
    const v3 = await retrain(site);
    expect(v3.metrics).toMatchObject({ mode: "incremental", sessions: 13 });
    // From scratch only the raw log before this hour is counted (later steps arrive as deltas), so the
    // current-hour session is not in it yet.
    const scratch = await retrain(site, "&scratch=true");
    expect(scratch.metrics).toMatchObject({ mode: "scratch", sessions: 12 });
  });
});

describe("manifest readers", () => {
  it("the version entry lists each artifact's list families in stored order", async () => {
    const site = await createSite();
    await seedHabits(site);
    const v = await retrain(site);
    expect(v.format).toBe(2);
    expect(v.families).toEqual(["after", "with"]);
    expect(v.personal?.families).toEqual(["itemCf", "content", "graph"]);
    const manifest = (await env.MODELS.get<Manifest>(kvKeys.manifest(site.id), "json"))!;
    expect(manifest.current.families).toEqual(["after", "with"]);
  });

  it("keep serving a version written in format 1 (shards without family names) until the next retrain", async () => {
    const site = await createSite();
    await seedHabits(site);
    const v = await retrain(site);
    const format1: ModelVersion = await rewriteAsFormat1(env.MODELS, { shard: (i) => kvKeys.shard(site.id, v.version, i), personalShard: (i) => kvKeys.personalShard(site.id, v.version, i) }, v, { personal: true });
    await env.MODELS.put(kvKeys.manifest(site.id), JSON.stringify({ current: format1, versions: [format1] }));
    const { clearModelCaches } = await import("../../src/storage/model-store");
    clearModelCaches();
    const recs = await (await get(`/v1/recommendations?itemId=a&k=2`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(recs.modelVersion).toBe(v.version);
    expect(recs.items[0]).toMatchObject({ id: "b", reason: { kind: "after", itemId: "a" } });
    clearModelCaches();
  });

  it("fall back to a format-1 version for a shard the first format-2 version has not brought to this location", async () => {
    const site = await createSite();
    await seedHabits(site);
    const v1 = await retrain(site);
    const format1: ModelVersion = await rewriteAsFormat1(
      env.MODELS,
      { shard: (i) => kvKeys.shard(site.id, v1.version, i), personalShard: (i) => kvKeys.personalShard(site.id, v1.version, i) },
      v1,
      { personal: false },
    );
    await env.MODELS.put(kvKeys.manifest(site.id), JSON.stringify({ current: format1, versions: [format1] }));
    const { clearModelCaches } = await import("../../src/storage/model-store");
    clearModelCaches();
    const v2 = await retrain(site);
    expect(v2.format).toBe(2);
    await Promise.all(Array.from({ length: v2.nShards }, (_, i) => env.MODELS.delete(kvKeys.shard(site.id, v2.version, i))));
    clearModelCaches();
    const recs = await (await get(`/v1/recommendations?itemId=a&k=2`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(recs.modelVersion).toBe(v2.version);
    expect(recs.items[0]).toMatchObject({ id: "b", reason: { kind: "after", itemId: "a" } });
    clearModelCaches();
  });

  it("do not decode a version written in another artifact format, and serve trending instead", async () => {
    const site = await createSite();
    await seedHabits(site);
    const v = await retrain(site);
    const manifest = (await env.MODELS.get<Manifest>(kvKeys.manifest(site.id), "json"))!;
    const future = { ...v, format: v.format + 1 };
    await env.MODELS.put(kvKeys.manifest(site.id), JSON.stringify({ current: future, versions: [future] }));
    const { clearModelCaches } = await import("../../src/storage/model-store");
    clearModelCaches();
    const recs = await (await get(`/v1/recommendations?itemId=a&k=2`, { "x-edgerec-key": site.key })).json<Recs>();
    expect(recs.modelVersion).toBeNull();
    expect(recs.items.every((i) => i.reason.kind === "trending")).toBe(true);
    await env.MODELS.put(kvKeys.manifest(site.id), JSON.stringify(manifest));
    clearModelCaches();
  });
});
