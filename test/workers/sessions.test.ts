import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_SESSION_PATH } from "../../src/config/limits";
import { bucketOf, statsToRows } from "../../src/models/stats-delta";
import { DEFAULT_COUNT_CONFIG, SessionStatsAccumulator } from "../../src/recommend/session-stats";
import { sessionStub } from "../../src/session/session-client";
import { parseDeltaBody } from "../../src/models/flush-body";
import type { SessionSnapshot } from "../../src/session/types";
import { createSite, event, get, postEvents, type ErrorJson } from "./helpers";

describe("SessionDO", () => {
  it("keeps the session path in time order, path types only", async () => {
    const site = await createSite();
    const sessionId = `s-${crypto.randomUUID()}`;
    const t0 = Date.now() - 60_000;
    await postEvents(site, [
      event({ sessionId, itemId: "b", ts: t0 + 2 }),
      event({ sessionId, itemId: "a", ts: t0 + 1 }),
      event({ sessionId, itemId: "z", type: "impression", ts: t0 + 3 }),
      event({ sessionId, type: "search", itemId: undefined, ts: t0 + 4 }),
    ]);
    await postEvents(site, [event({ sessionId, itemId: "c", type: "add_to_cart", ts: t0 + 5 })]);
    const res = await get(`/v1/sessions/${sessionId}`, { "x-edgerec-key": site.key });
    expect(res.status).toBe(200);
    const snap = await res.json<SessionSnapshot>();
    expect(snap.path.map((p) => p.itemId)).toEqual(["a", "b", "c"]);
    expect(snap.path[2]!.type).toBe("add_to_cart");
    expect(snap.siteId).toBe(site.id);
    expect(snap.expiresAt).toBeGreaterThan(Date.now());
  });

  it("bounds the path to the most recent steps", async () => {
    const stub = sessionStub(env, "bounds", "s1");
    const t0 = Date.now() - 1_000_000;
    const events = Array.from({ length: MAX_SESSION_PATH + 5 }, (_, i) => ({ id: crypto.randomUUID(), type: "view" as const, itemId: `i${i}`, ts: t0 + i }));
    await stub.append("bounds", "s1", events);
    const snap = await stub.snapshot();
    expect(snap!.path).toHaveLength(MAX_SESSION_PATH);
    expect(snap!.path[0]!.itemId).toBe("i5");
    expect(snap!.path.at(-1)!.itemId).toBe(`i${MAX_SESSION_PATH + 4}`);
  });

  it("drops retried events by id", async () => {
    const stub = sessionStub(env, "dedup", "s1");
    const e = { id: crypto.randomUUID(), type: "view" as const, itemId: "a", ts: Date.now() };
    expect(await stub.append("dedup", "s1", [e])).toEqual({ added: 1, duplicates: 0, duplicateIds: [], pathLength: 1 });
    expect(await stub.append("dedup", "s1", [e])).toEqual({ added: 0, duplicates: 1, duplicateIds: [e.id], pathLength: 1 });
  });

  it("drops duplicates within a large batch, across its multi-row statements, and against earlier batches", async () => {
    const stub = sessionStub(env, "dedup-large", "s1");
    const t0 = Date.now() - 100_000;
    const mk = (i: number) => ({ id: crypto.randomUUID(), type: i % 7 === 0 ? ("impression" as const) : ("view" as const), itemId: `i${i}`, ts: t0 + i });
    const earlier = [mk(1000), mk(1001)];
    await stub.append("dedup-large", "s1", earlier);
    const batch = Array.from({ length: 120 }, (_, i) => mk(i));
    // Repeats of ids from another statement of the same batch (50 ids a statement) and from the earlier batch.
    const repeats = [batch[3]!, batch[60]!, earlier[0]!, batch[119]!];
    const r = await stub.append("dedup-large", "s1", [...batch.slice(0, 55), repeats[0]!, ...batch.slice(55), repeats[1]!, repeats[2]!, repeats[3]!]);
    expect(r.added).toBe(120);
    expect(r.duplicateIds).toEqual(repeats.map((e) => e.id));
    const stepsOf = (list: typeof batch) => list.filter((e) => e.type === "view").map((e) => e.itemId);
    expect(r.pathLength).toBe(stepsOf(batch).length + stepsOf(earlier).length);
    const snap = await stub.snapshot();
    expect(snap!.path.map((p) => p.itemId)).toEqual([...stepsOf(batch), ...stepsOf(earlier)]);
  });

  it("keeps different sites' sessions with the same id apart", async () => {
    await sessionStub(env, "site-a", "shared").append("site-a", "shared", [{ id: crypto.randomUUID(), type: "view", itemId: "a", ts: Date.now() }]);
    expect(await sessionStub(env, "site-b", "shared").snapshot()).toBeNull();
  });

  it("arms its expiry alarm once per idle period, not on every append, and re-arms it from the last activity", async () => {
    const stub = sessionStub(env, "alarm-once", `s-${crypto.randomUUID()}`);
    const view = (itemId: string) => ({ id: crypto.randomUUID(), type: "view" as const, itemId, ts: Date.now() });
    await stub.append("alarm-once", "s", [view("a")]);
    const armed = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(armed).toBeGreaterThan(Date.now() + 29 * 60_000);
    // A later event leaves the alarm where it is (one storage write fewer on the click path) ...
    await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec("UPDATE meta SET value = json_set(value, '$.lastEventAt', ?) WHERE key = 'session'", Date.now() - 60_000),
    );
    await stub.append("alarm-once", "s", [view("b")]);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(armed);
    // ... and the alarm, when it fires, re-arms from the stored last activity rather than expiring the session.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rearmed = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(rearmed).not.toBeNull();
    expect((await stub.snapshot())?.path.map((p) => p.itemId)).toEqual(["a", "b"]);
    // With no alarm pending (it just fired and re-armed itself), an append does not arm a second one.
    await stub.append("alarm-once", "s", [view("c")]);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(rearmed);
  });

  it("sends what a failed flush left in its outbox first, under its own flush id, then the uncounted steps", async () => {
    const siteId = `flush-${crypto.randomUUID()}`;
    const stub = sessionStub(env, siteId, "s");
    // Within one hour, so every increment has the same bucket.
    const ts = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    await stub.append(siteId, "s", ["a", "b", "c"].map((itemId, i) => ({ id: crypto.randomUUID(), type: "view" as const, itemId, ts: ts + i })));
    // A send that failed: the outbox still holds that flush (here counted rows, as objects before flush bodies v2
    // held them).
    const held = [{ kind: "after", a: "held-x", b: "held-y", bucket: 7, w: 1 }];
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("INSERT INTO outbox (id, n, rows) VALUES (1, ?, ?)", held.length, JSON.stringify(held));
      state.storage.sql.exec("UPDATE meta SET value = json_set(value, '$.lastEventAt', ?) WHERE key = 'session'", Date.now() - 31 * 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const flushes = await env.DB.prepare("SELECT flush_id, body, rows FROM model_deltas WHERE site_id = ? ORDER BY flush_id").bind(siteId).all<{ flush_id: string; body: string; rows: number }>();
    expect(flushes.results.map((f) => f.flush_id.split(":").at(-1))).toEqual(["0", "1"]);
    expect(JSON.parse(flushes.results[0]!.body)).toEqual([["after", "held-x", "held-y", 7, 1]]);
    // The second flush sent the session's steps, which the retrain counts as it counts a whole session.
    expect(flushes.results[1]!.rows).toBe(3);
    const counted = parseDeltaBody(flushes.results[1]!.body, DEFAULT_COUNT_CONFIG);
    const whole = new SessionStatsAccumulator(DEFAULT_COUNT_CONFIG);
    whole.pushSession(["a", "b", "c"]);
    expect(counted).toEqual(statsToRows(whole.stats(), bucketOf(ts)));
    // Everything sent: the session is gone, outbox included.
    expect(await stub.snapshot()).toBeNull();
    // The object's next session (the same id again, after an eviction too) flushes under a new flush id: D1 would
    // ignore a reused one whose row no retrain has consumed yet.
    await stub.append(siteId, "s", [{ id: crypto.randomUUID(), type: "view" as const, itemId: "d", ts: Date.now() }]);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE meta SET value = json_set(value, '$.lastEventAt', ?) WHERE key = 'session'", Date.now() - 31 * 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await env.DB.prepare("SELECT flush_id, body FROM model_deltas WHERE site_id = ? ORDER BY id").bind(siteId).all<{ flush_id: string; body: string }>();
    expect(after.results.map((f) => f.flush_id.split(":").at(-1))).toEqual(["0", "1", "2"]);
    expect(after.results[2]!.body).toContain('"d"');
  });

  it("expires through its alarm once idle, but not while active", async () => {
    const site = await createSite();
    const sessionId = `s-${crypto.randomUUID()}`;
    await postEvents(site, [event({ sessionId, itemId: "a" })]);
    const stub = sessionStub(env, site.id, sessionId);

    // The alarm fires early (at-least-once delivery, or a re-scheduled alarm): the live session survives.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.snapshot())?.path).toHaveLength(1);

    // Make the last activity older than the idle timeout, then let the alarm run.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE meta SET value = json_set(value, '$.lastEventAt', ?) WHERE key = 'session'",
        Date.now() - 31 * 60_000,
      );
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.snapshot()).toBeNull();
    const res = await get(`/v1/sessions/${sessionId}`, { "x-edgerec-key": site.key });
    expect(res.status).toBe(404);
    expect((await res.json<ErrorJson>()).error.code).toBe("session_not_found");
    const rows = await runInDurableObject(stub, (_i, state) =>
      ["path_steps", "seen_ids"].map((t) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`).one().n),
    );
    expect(rows).toEqual([0, 0]);
  });

  it("stores one row per append, compacts them past its bounds, and reloads the same path and duplicates", async () => {
    const stub = sessionStub(env, "rows", "s1");
    const t0 = Date.now() - 10_000_000;
    const sent: { id: string; type: "view"; itemId: string; ts: number }[] = [];
    // 14 batches of 40 steps (560, past MAX_SESSION_PATH and the compaction bound), every fourth out of time order.
    for (let b = 0; b < 14; b++) {
      const batch = Array.from({ length: 40 }, (_, i) => ({ id: crypto.randomUUID(), type: "view" as const, itemId: `i${b}-${i}`, ts: t0 + (b % 4 === 3 ? b - 2 : b) * 1000 + i }));
      sent.push(...batch);
      expect((await stub.append("rows", "s1", batch)).added).toBe(40);
    }
    const before = (await stub.snapshot())!.path;
    // The newest MAX_SESSION_PATH steps by (ts, arrival), whatever order the batches came in.
    const expected = sent
      .map((e, arrival) => ({ e, arrival }))
      .sort((a, b) => a.e.ts - b.e.ts || a.arrival - b.arrival)
      .slice(-MAX_SESSION_PATH)
      .map(({ e }) => e.itemId);
    expect(before.map((p) => p.itemId)).toEqual(expected);
    const stored = await runInDurableObject(stub, (_i, state) => ({
      pathRows: state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM path_steps`).one().n,
      steps: state.storage.sql.exec<{ steps: string }>(`SELECT steps FROM path_steps`).toArray().reduce((n, r) => n + (JSON.parse(r.steps) as unknown[]).length, 0),
    }));
    expect(stored.pathRows).toBeLessThan(14);
    expect(stored.steps).toBeLessThanOrEqual(MAX_SESSION_PATH * 1.5);
    // As after an eviction: the object reads its rows again.
    const reloaded = await runInDurableObject(stub, (instance) => {
      (instance as unknown as { load(): void }).load();
      return instance.snapshot()!.path;
    });
    expect(reloaded).toEqual(before);
    expect((await stub.append("rows", "s1", [sent[0]!, sent.at(-1)!])).duplicates).toBe(2);
  });

  it("moves a live session stored in the previous layout (v5: a row per id and step) without losing it", async () => {
    const stub = sessionStub(env, "v5", "s1");
    const t0 = Date.now() - 60_000;
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const moved = await runInDurableObject(stub, (instance, state) => {
      const sql = state.storage.sql;
      for (const t of ["seen_ids", "path_steps", "meta"]) sql.exec(`DROP TABLE IF EXISTS ${t}`);
      sql.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE seen (event_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE path (seq INTEGER PRIMARY KEY, item_id TEXT NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL)`);
      sql.exec(`INSERT INTO meta VALUES ('schema_version', '5'), ('session', ?)`, JSON.stringify({ siteId: "v5", sessionId: "s1", startedAt: t0, lastEventAt: t0, expiresAt: t0 + 1_800_000 }));
      ids.forEach((id, i) => sql.exec(`INSERT INTO seen VALUES (?, ?)`, id, i + 1));
      sql.exec(`INSERT INTO path VALUES (1, 'b', 'view', ?), (2, 'a', 'view', ?), (3, 'c', 'add_to_cart', ?)`, t0 + 2, t0 + 1, t0 + 3);
      (instance as unknown as { load(): void }).load();
      const tables = sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).toArray().map((r) => r.name);
      return { path: instance.snapshot()!.path.map((p) => p.itemId), tables };
    });
    expect(moved.path).toEqual(["a", "b", "c"]);
    expect(moved.tables).not.toContain("seen");
    expect(moved.tables).not.toContain("path");
    const again = await stub.append("v5", "s1", [{ id: ids[1]!, type: "view", itemId: "x", ts: t0 + 4 }, { id: crypto.randomUUID(), type: "view", itemId: "d", ts: t0 + 5 }]);
    expect(again).toMatchObject({ added: 1, duplicateIds: [ids[1]] });
    expect((await stub.snapshot())!.path.map((p) => p.itemId)).toEqual(["a", "b", "c", "d"]);
  });
});
