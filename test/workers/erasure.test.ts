import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { startErasure, type ErasureReceipt } from "../../src/privacy/erasure";
import { TRENDING_CRON } from "../../src/scheduled";
import type { IngestResult } from "../../src/schemas/events";
import { listKey, writeCachedList } from "../../src/serving/rec-cache";
import { sessionStub } from "../../src/session/session-client";
import { stepsBody } from "../../src/models/flush-body";
import { flushDeltas } from "../../src/storage/deltas-repo";
import { createJob, resolveSubject, sessionIdsOf, suppressionHash, ZERO_COUNTS } from "../../src/storage/erasure-repo";
import { kvKeys } from "../../src/storage/kv-keys";
import { BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

function del(site: TestSite, id: string, headers: Record<string, string> = serverHeaders(site)): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/users/${encodeURIComponent(id)}`, { method: "DELETE", headers });
}

function forget(site: TestSite, body: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/users/me/forget?key=${site.key}`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: JSON.stringify(body),
  });
}

async function count(sql: string, ...binds: unknown[]): Promise<number> {
  return (await env.DB.prepare(`SELECT COUNT(*) AS n FROM (${sql})`).bind(...binds).first<{ n: number }>())!.n;
}

/** Every D1 row that names the visitor: what an erasure must leave at zero. */
async function d1Rows(site: TestSite, anonIds: string[], userId: string): Promise<Record<string, number>> {
  const anon = JSON.stringify(anonIds);
  const inAnon = "(SELECT value FROM json_each(?2))";
  return {
    events: await count(`SELECT 1 FROM events WHERE site_id = ?1 AND (anonymous_id IN ${inAnon} OR user_id = ?3)`, site.id, anon, userId),
    identities: await count(`SELECT 1 FROM identities WHERE site_id = ?1 AND (external_id IN ${inAnon} OR external_id = ?3)`, site.id, anon, userId),
    profiles: await count(`SELECT 1 FROM profiles WHERE site_id = ?1 AND user_id = ?2`, site.id, userId),
    consents: await count(`SELECT 1 FROM consents WHERE site_id = ?1 AND anonymous_id IN ${inAnon}`, site.id, anon),
    consentHistory: await count(`SELECT 1 FROM consent_history WHERE site_id = ?1 AND anonymous_id IN ${inAnon}`, site.id, anon),
  };
}

/** A user with two devices (a1 in sessions s1, s2; a2 in s3), a consent choice, cached lists and flushed deltas; and a bystander b1. */
async function twoDevicesAndABystander(site: TestSite): Promise<void> {
  const t = Date.now() - 10_000;
  const server = { headers: serverHeaders(site) };
  expect(
    (
      await postEvents(
        site,
        [
          event({ anonymousId: "a1", sessionId: "s1", itemId: "x", ts: t }),
          event({ anonymousId: "a1", sessionId: "s1", itemId: "y", ts: t + 1, type: "add_to_cart" }),
          event({ anonymousId: "a1", sessionId: "s2", userId: "u1", type: "identify", itemId: undefined, ts: t + 2 }),
          event({ anonymousId: "a2", sessionId: "s3", userId: "u1", itemId: "z", ts: t + 3 }),
          event({ anonymousId: "b1", sessionId: "sb", itemId: "x", ts: t + 4 }),
        ],
        server,
      )
    ).status,
  ).toBe(200);
  const consent = await exports.default.fetch(`${BASE}/v1/consent?key=${site.key}`, {
    method: "POST",
    body: JSON.stringify({ anonymousId: "a1", analytics: true, personalization: true }),
  });
  expect(consent.status).toBe(200);
  const recs = { recommendationId: "r", modelVersion: null, items: [], personalized: false };
  for (const visitor of [{ anonymousId: "a1" }, { userId: "u1" }, { anonymousId: "b1" }]) {
    await writeCachedList(env.REC_CACHE, listKey(site.id, visitor, "home", { d: 1 }), "state", recs);
  }
  const doId = (sid: string) => env.SESSIONS.idFromName(JSON.stringify([site.id, sid])).toString();
  const body = stepsBody([{ itemId: "x" }], [{ itemId: "y", ts: Date.now() }]);
  await flushDeltas(env.DB, site.id, `${doId("s1")}:0`, body, 1);
  await flushDeltas(env.DB, site.id, `${doId("sb")}:0`, body, 1);
}

/** The session object's durable storage: no table (other than the platform's own) and no alarm. */
async function sessionStorage(site: TestSite, sid: string): Promise<{ tables: string[]; alarm: number | null; snapshot: unknown }> {
  return runInDurableObject(sessionStub(env, site.id, sid), async (instance, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'`)
      .toArray()
      .map((r) => r.name),
    alarm: await state.storage.getAlarm(),
    snapshot: instance.snapshot(),
  }));
}

describe("DELETE /v1/users/:id", () => {
  it("erases the profile and every linked id from D1, the session objects, KV and model deltas, and nobody else's", async () => {
    const site = await createSite();
    await twoDevicesAndABystander(site);
    expect((await sessionStorage(site, "s1")).tables.length).toBeGreaterThan(0);

    const res = await del(site, "u1");
    expect(res.status).toBe(200);
    const receipt = await res.json<ErasureReceipt>();
    expect(receipt).toMatchObject({
      status: "done",
      suppressed: 3,
      erased: { events: 4, profiles: 1, identities: 3, consents: 1, consentHistory: 1, sessions: 3, cachedLists: 2, modelDeltas: 1 },
    });
    expect(receipt.erased.profileItems).toBeGreaterThan(0);
    expect(receipt.jobId).toMatch(/^er_[0-9a-f]{32}$/);

    expect(await d1Rows(site, ["a1", "a2"], "u1")).toEqual({ events: 0, identities: 0, profiles: 0, consents: 0, consentHistory: 0 });
    expect(await count(`SELECT 1 FROM profile_items pi WHERE site_id = ?1 AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.site_id = pi.site_id AND p.id = pi.profile_id)`, site.id)).toBe(0);
    for (const sid of ["s1", "s2", "s3"]) expect(await sessionStorage(site, sid)).toEqual({ tables: [], alarm: null, snapshot: null });
    expect((await env.REC_CACHE.list({ prefix: `r/${site.id}/` })).keys.map((k) => k.name)).toEqual([await listKey(site.id, { anonymousId: "b1" }, "home", { d: 1 }).far()]);
    expect(await count(`SELECT 1 FROM model_deltas WHERE site_id = ?1`, site.id)).toBe(1);

    // The bystander is untouched.
    expect(await count(`SELECT 1 FROM events WHERE site_id = ?1 AND anonymous_id = 'b1'`, site.id)).toBe(1);
    expect(await count(`SELECT 1 FROM identities WHERE site_id = ?1 AND external_id = 'b1'`, site.id)).toBe(1);
    expect(await sessionStub(env, site.id, "sb").snapshot()).not.toBeNull();
    // Suppression keeps hashes only, never the ids themselves.
    const hashes = await env.DB.prepare(`SELECT id_hash FROM suppressions WHERE site_id = ?`).bind(site.id).all<{ id_hash: string }>();
    expect(hashes.results.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash))).toBe(true);
  });

  it("answers the same receipt on a second request, for any linked id, and deletes nothing new", async () => {
    const site = await createSite();
    await twoDevicesAndABystander(site);
    const first = await (await del(site, "a2")).json<ErasureReceipt>();
    expect(first.status).toBe("done");
    const before = await count(`SELECT 1 FROM events WHERE site_id = ?1`, site.id);

    const again = await del(site, "a2");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    // Another id of the same (erased) person: never a 404, nothing deleted.
    const other = await del(site, "u1");
    expect(other.status).toBe(200);
    expect(await other.json<ErasureReceipt>()).toMatchObject({ status: "done", erased: { events: 0, profiles: 0 } });
    expect(await count(`SELECT 1 FROM events WHERE site_id = ?1`, site.id)).toBe(before);
  });

  it("is 401 with the public key and 404 for an id never seen", async () => {
    const site = await createSite();
    await twoDevicesAndABystander(site);
    const pub = await del(site, "u1", { "x-edgerec-key": site.key });
    expect(pub.status).toBe(401);
    expect(await count(`SELECT 1 FROM events WHERE site_id = ?1 AND user_id = 'u1'`, site.id)).toBe(2);
    const missing = await del(site, "nobody");
    expect(missing.status).toBe(404);
    expect((await missing.json<ErrorJson>()).error.code).toBe("profile_not_found");
  });

  it("drops later events naming an erased anonymous or user id at ingest (suppression)", async () => {
    const site = await createSite();
    await twoDevicesAndABystander(site);
    expect((await del(site, "u1")).status).toBe(200);

    const byAnon = event({ anonymousId: "a1", sessionId: "s-late" });
    const byUser = event({ anonymousId: "fresh-device", userId: "u1", sessionId: "s-late2" });
    const fine = event({ anonymousId: "b1", sessionId: "sb" });
    const res = await postEvents(site, [byAnon, byUser, fine], { headers: serverHeaders(site) });
    expect(res.status).toBe(200);
    const body = await res.json<IngestResult>();
    expect(body.ignored).toEqual([byAnon.id, byUser.id]);
    expect(await d1Rows(site, ["a1", "a2", "fresh-device"], "u1")).toMatchObject({ events: 0, identities: 0, profiles: 0 });
    expect(await sessionStub(env, site.id, "s-late").snapshot()).toBeNull();
    expect(await sessionStub(env, site.id, "s-late2").snapshot()).toBeNull();
    expect(await count(`SELECT 1 FROM events WHERE site_id = ?1 AND anonymous_id = 'b1'`, site.id)).toBe(2);
  });
});

describe("POST /v1/users/me/forget", () => {
  it("lets a visitor erase their own anonymous id, and the whole profile it is linked to", async () => {
    const site = await createSite();
    await twoDevicesAndABystander(site);
    const res = await forget(site, { anonymousId: "a1" });
    expect(res.status).toBe(200);
    const receipt = await res.json<ErasureReceipt>();
    expect(receipt).toMatchObject({ status: "done", suppressed: 3, erased: { events: 4, profiles: 1, identities: 3 } });
    expect(await d1Rows(site, ["a1", "a2"], "u1")).toEqual({ events: 0, identities: 0, profiles: 0, consents: 0, consentHistory: 0 });
    // The visitor may follow their own job with the public key.
    const status = await get(receipt.statusUrl, { "x-edgerec-key": site.key });
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual(receipt);
  });

  it("erases a visitor who only answered the banner, and rejects a body without the id, naming the field", async () => {
    const site = await createSite();
    await exports.default.fetch(`${BASE}/v1/consent?key=${site.key}`, { method: "POST", body: JSON.stringify({ anonymousId: "shy", analytics: false, personalization: false }) });
    const res = await forget(site, { anonymousId: "shy" });
    expect(await res.json<ErasureReceipt>()).toMatchObject({ status: "done", erased: { consents: 1, consentHistory: 1, events: 0 }, suppressed: 1 });
    expect(await count(`SELECT 1 FROM consents WHERE site_id = ?1`, site.id)).toBe(0);

    const bad = await forget(site, { anonymousId: "" });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues![0]!.path).toBe("anonymousId");
  });
});

describe("erasure and the isolate's caches", () => {
  it("a visitor's list and history cached in this isolate are gone with the erasure", async () => {
    const site = await createSite();
    const config = await exports.default.fetch(`${BASE}/admin/sites/${site.id}/config`, {
      method: "PUT",
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ slots: { recent: { kind: "recently_viewed", k: 5 } } }),
    });
    expect(config.status).toBe(200);
    await putItems(site, [{ id: "x", title: "X" }, { id: "y", title: "Y" }]);
    const t = Date.now() - 60_000;
    expect((await postEvents(site, ["x", "y"].map((itemId, i) => event({ anonymousId: "rv1", sessionId: "rv-old", itemId, ts: t + i })))).status).toBe(200);
    const read = async () => (await (await get(`/v1/recommendations?slot=recent&anonymousId=rv1`, { "x-edgerec-key": site.key })).json<{ items: { id: string }[] }>()).items.map((i) => i.id);
    expect(await read()).toEqual(["y", "x"]);
    // Read twice: the second answer comes from this isolate's copies (list tier and the visitor's context).
    expect(await read()).toEqual(["y", "x"]);
    expect((await forget(site, { anonymousId: "rv1" })).status).toBe(200);
    expect(await read()).toEqual([]);
  });
});

describe("resumable erasure", () => {
  async function runCron(): Promise<void> {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: TRENDING_CRON }), env, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("stops within its step budget, answers running, and the 10-minute cron finishes the job", async () => {
    const site = await createSite();
    const t = Date.now() - 60_000;
    const events = Array.from({ length: 30 }, (_, i) => event({ anonymousId: "big", sessionId: `bs${i % 3}`, itemId: `i${i}`, ts: t + i }));
    expect((await postEvents(site, events)).status).toBe(200);

    // Tiny steps: one session object, or two chunks of five events, per step.
    const job = await startErasure(env, site.id, "any", "big", { chunkRows: 5, chunksPerStep: 2, sessionsPerStep: 1 });
    expect(job.status).toBe("running");
    expect(job.receipt).toMatchObject({ profiles: 1, sessions: 1, events: 0 });
    const status = await get(`/v1/users/erasures/${job.id}`, serverHeaders(site));
    expect(await status.json<ErasureReceipt>()).toMatchObject({ status: "running", jobId: job.id });
    // A job started by the site's backend is not readable with the public key.
    expect((await get(`/v1/users/erasures/${job.id}`, { "x-edgerec-key": site.key })).status).toBe(401);
    expect(await count(`SELECT 1 FROM events WHERE site_id = ?1`, site.id)).toBe(30);

    await runCron();
    const done = await (await get(`/v1/users/erasures/${job.id}`, serverHeaders(site))).json<ErasureReceipt>();
    expect(done).toMatchObject({ status: "done", erased: { events: 30, sessions: 3, profiles: 1 } });
    expect(await count(`SELECT 1 FROM events WHERE site_id = ?1`, site.id)).toBe(0);
  });

  it("finishes a job whose request died right after creating it (nothing deleted yet) from the cron", async () => {
    const site = await createSite();
    await twoDevicesAndABystander(site);
    // What startErasure writes before its first step, as if the isolate had been killed just then.
    const subject = (await resolveSubject(env.DB, site.id, "any", "u1"))!;
    const id = `er_${crypto.randomUUID().replaceAll("-", "")}`;
    const suppress = await Promise.all(["a1", "a2"].map(async (a) => ({ kind: "anon" as const, hash: await suppressionHash(site.id, "anon", a) })));
    const state = { ...subject, profileRowsPending: true, sessionIds: await sessionIdsOf(env.DB, site.id, subject), eventsPass: "profile" as const, suppressed: 2, selfService: false };
    await createJob(env.DB, { id, siteId: site.id, status: "running", state, receipt: { ...ZERO_COUNTS }, createdAt: Date.now(), updatedAt: Date.now() }, await suppressionHash(site.id, "user", "u1"), suppress);

    await runCron();
    const done = await (await get(`/v1/users/erasures/${id}`, serverHeaders(site))).json<ErasureReceipt>();
    expect(done).toMatchObject({ status: "done", erased: { events: 4, profiles: 1, identities: 3, consents: 1, sessions: 3, cachedLists: 2 } });
    expect(await d1Rows(site, ["a1", "a2"], "u1")).toEqual({ events: 0, identities: 0, profiles: 0, consents: 0, consentHistory: 0 });
    // The user's DELETE now answers that job.
    expect(await (await del(site, "u1")).json<ErasureReceipt>()).toEqual(done);
  });

  it("answers 202 with a status URL when the history exceeds one request's budget", async () => {
    const site = await createSite();
    await postEvents(site, [event({ anonymousId: "huge", sessionId: "hs" })]);
    const profileId = (await env.DB.prepare(`SELECT profile_id FROM identities WHERE site_id = ?`).bind(site.id).first<{ profile_id: string }>())!.profile_id;
    // 25,000 rows (above ERASURE_CHUNK_ROWS x ERASURE_CHUNKS_PER_STEP), written straight to D1: the API would take 50 batches.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25000)
       INSERT INTO events (site_id, id, type, anonymous_id, session_id, item_id, profile_id, ts, received_at)
       SELECT ?1, 'bulk-' || i, 'view', 'huge', 'hs', 'sku-' || (i % 50), ?2, ?3 + i, ?3 FROM n`,
    )
      .bind(site.id, profileId, Date.now() - 86_400_000)
      .run();

    const res = await del(site, "huge");
    expect(res.status).toBe(202);
    const receipt = await res.json<ErasureReceipt>();
    expect(receipt.status).toBe("running");
    expect(receipt.statusUrl).toBe(`/v1/users/erasures/${receipt.jobId}`);
    expect(receipt.erased.events).toBe(20_000);

    for (let i = 0; i < 5; i++) {
      const s = await (await get(receipt.statusUrl, serverHeaders(site))).json<ErasureReceipt>();
      if (s.status === "done") break;
      await runCron();
    }
    const done = await (await get(receipt.statusUrl, serverHeaders(site))).json<ErasureReceipt>();
    expect(done).toMatchObject({ status: "done", erased: { events: 25_001 } });
    expect(await count(`SELECT 1 FROM events WHERE site_id = ?1`, site.id)).toBe(0);
  });

  it("a broken job neither stops the other erasures nor the trending refresh on the same cron", async () => {
    const site = await createSite();
    await postEvents(site, [event({ anonymousId: "t1", sessionId: "ts1", itemId: "hot" }), event({ anonymousId: "t2", sessionId: "ts2" })]);
    const healthy = await startErasure(env, site.id, "any", "t2", { chunkRows: 5, chunksPerStep: 1, sessionsPerStep: 1 });
    expect(healthy.status).toBe("running");
    // A job whose stored state cannot be read, queued before the healthy one: resuming it throws.
    const broken = `er_${"0".repeat(32)}`;
    await env.DB.prepare(`INSERT INTO erasures (id, site_id, subject_hash, status, state, receipt, created_at, updated_at) VALUES (?1, ?2, 'broken', 'running', '{', '{}', 0, 0)`)
      .bind(broken, site.id)
      .run();
    try {
      await runCron();
      expect(await env.MODELS.get(kvKeys.trendingLive(site.id))).not.toBeNull();
      expect(await (await get(`/v1/users/erasures/${healthy.id}`, serverHeaders(site))).json<ErasureReceipt>()).toMatchObject({ status: "done", erased: { events: 1 } });
    } finally {
      await env.DB.prepare(`DELETE FROM erasures WHERE id = ?`).bind(broken).run();
    }
  });
});
