import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_SESSION_PATH } from "../../src/config/limits";
import { sessionStub } from "../../src/session/session-client";
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

  it("sends increments a failed flush left in its outbox first, under their own flush id, then counts the rest", async () => {
    const siteId = `flush-${crypto.randomUUID()}`;
    const stub = sessionStub(env, siteId, "s");
    const ts = Date.now() - 60_000;
    await stub.append(siteId, "s", ["a", "b", "c"].map((itemId, i) => ({ id: crypto.randomUUID(), type: "view" as const, itemId, ts: ts + i })));
    // A send that failed after its count: the outbox still holds that flush's rows.
    const held = [{ kind: "after", a: "held-x", b: "held-y", bucket: 7, w: 1 }];
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("INSERT INTO outbox (id, n, rows) VALUES (1, ?, ?)", held.length, JSON.stringify(held));
      state.storage.sql.exec("UPDATE meta SET value = json_set(value, '$.lastEventAt', ?) WHERE key = 'session'", Date.now() - 31 * 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const flushes = await env.DB.prepare("SELECT flush_id, body, rows FROM model_deltas WHERE site_id = ? ORDER BY flush_id").bind(siteId).all<{ flush_id: string; body: string; rows: number }>();
    expect(flushes.results.map((f) => f.flush_id.split(":").at(-1))).toEqual(["0", "1"]);
    expect(JSON.parse(flushes.results[0]!.body)).toEqual([["after", "held-x", "held-y", 7, 1]]);
    // The second flush counted the session's steps.
    expect(flushes.results[1]!.rows).toBeGreaterThan(0);
    expect(flushes.results[1]!.body).toContain('"c"');
    // Everything sent: the session is gone, outbox included.
    expect(await stub.snapshot()).toBeNull();
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
    const tables = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM path").one().n);
    expect(tables).toBe(0);
  });
});
