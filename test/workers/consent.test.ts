import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/schemas/events";
import type { ProfileView } from "../../src/storage/profiles-repo";
import { sessionStub } from "../../src/session/session-client";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

function postConsent(site: TestSite, body: unknown, contentType = "application/json"): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/consent?key=${site.key}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: JSON.stringify(body),
  });
}

function serverConsent(site: TestSite, body: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/consent`, { method: "POST", headers: { ...serverHeaders(site), "content-type": "application/json" }, body: JSON.stringify(body) });
}

type ConsentAnswer = {
  consent: { analytics: boolean; personalization: boolean; source: string };
  applied: boolean;
  receipt: string | null;
  erasure?: { method: string; path: string };
  erasureReceipt?: { status: string; erased: Record<string, number> };
};

async function history(site: TestSite, anonymousId: string): Promise<{ analytics: number; personalization: number; source: string; applied: number }[]> {
  const { results } = await env.DB.prepare(`SELECT analytics, personalization, source, applied FROM consent_history WHERE site_id = ? AND anonymous_id = ? ORDER BY id`)
    .bind(site.id, anonymousId)
    .all<{ analytics: number; personalization: number; source: string; applied: number }>();
  return results;
}

describe("POST /v1/consent", () => {
  it("stops storing events of a visitor who declined analytics, and only theirs", async () => {
    const site = await createSite();
    const res = await postConsent(site, { anonymousId: "no-thanks", analytics: false, personalization: false }, "text/plain");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, consent: { analytics: false, personalization: false } });

    const declined = event({ anonymousId: "no-thanks", sessionId: "s-declined" });
    const fine = event({ anonymousId: "yes-please", sessionId: "s-fine" });
    const ingest = await postEvents(site, [declined, fine]);
    expect(ingest.status).toBe(200);
    const body = await ingest.json<IngestResult>();
    expect(body.accepted).toEqual([declined.id, fine.id]);
    expect(body.ignored).toEqual([declined.id]);
    const rows = await env.DB.prepare("SELECT anonymous_id FROM events WHERE site_id = ?").bind(site.id).all<{ anonymous_id: string }>();
    expect(rows.results.map((r) => r.anonymous_id)).toEqual(["yes-please"]);
    expect(await sessionStub(env, site.id, "s-declined").snapshot()).toBeNull();
    expect(await sessionStub(env, site.id, "s-fine").snapshot()).not.toBeNull();
  });

  it("shows the choice on the profile and lets a later choice win over an older one", async () => {
    const site = await createSite();
    await postEvents(site, [event({ anonymousId: "v1" })]);
    const now = Date.now();
    const first = await (await postConsent(site, { anonymousId: "v1", analytics: true, personalization: false, ts: now })).json<{ receipt: string }>();
    const stale = await postConsent(site, { anonymousId: "v1", analytics: false, personalization: false, ts: now - 60_000, receipt: first.receipt });
    expect(await stale.json()).toMatchObject({ applied: false, receipt: null, consent: { analytics: true, personalization: false } });
    const profile = await (await get(`/v1/users/v1`, { ...ADMIN, "x-edgerec-key": site.key })).json<ProfileView>();
    expect(profile.consent).toMatchObject({ analytics: true, personalization: false });
  });

  it("serves non-personal lists to a visitor who declined personalization", async () => {
    const site = await createSite();
    await postEvents(site, [event({ anonymousId: "private", sessionId: "s-private", itemId: "a" })]);
    await postConsent(site, { anonymousId: "private", analytics: true, personalization: false });
    const res = await get(`/v1/recommendations?sessionId=s-private&anonymousId=private&k=3`, { "x-edgerec-key": site.key });
    const body = await res.json<{ personalized: boolean; items: { reason: { kind: string } }[] }>();
    expect(body.personalized).toBe(false);
    expect(body.items.every((i) => i.reason.kind === "trending")).toBe(true);
  });

  it("rejects a choice without its flags, naming the field", async () => {
    const site = await createSite();
    const res = await postConsent(site, { anonymousId: "v", analytics: "yes" });
    expect(res.status).toBe(400);
    const issues = (await res.json<ErrorJson>()).error.issues!.map((i) => i.path);
    expect(issues).toEqual(["analytics", "personalization"]);
  });

  it("keeps every change in the history with its source, and stores only the receipt's hash", async () => {
    const site = await createSite();
    const now = Date.now();
    const first = await (await postConsent(site, { anonymousId: "h1", analytics: true, personalization: true, ts: now - 1000 })).json<ConsentAnswer>();
    expect(first.receipt).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const second = await (await postConsent(site, { anonymousId: "h1", analytics: true, personalization: false, ts: now, receipt: first.receipt })).json<ConsentAnswer>();
    expect(second).toMatchObject({ applied: true, consent: { personalization: false, source: "browser" } });
    await postConsent(site, { anonymousId: "h1", analytics: false, personalization: false, ts: now - 5000, receipt: second.receipt });
    await serverConsent(site, { anonymousId: "h1", analytics: false, personalization: false });
    expect(await history(site, "h1")).toEqual([
      { analytics: 1, personalization: 1, source: "browser", applied: 1 },
      { analytics: 1, personalization: 0, source: "browser", applied: 1 },
      { analytics: 0, personalization: 0, source: "browser", applied: 0 },
      { analytics: 0, personalization: 0, source: "server", applied: 1 },
    ]);
    const row = await env.DB.prepare(`SELECT receipt_hash FROM consents WHERE site_id = ? AND anonymous_id = 'h1'`).bind(site.id).first<{ receipt_hash: string }>();
    expect(row!.receipt_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.receipt_hash).not.toBe(second.receipt);
  });

  it("refuses a forged change by someone who only knows the anonymous id (it travels in URLs and logs)", async () => {
    const site = await createSite();
    const mine = await (await postConsent(site, { anonymousId: "victim", analytics: false, personalization: false })).json<ConsentAnswer>();
    // The attacker re-enables tracking of a visitor who declined: without the receipt, and with a made-up one.
    const forged = await postConsent(site, { anonymousId: "victim", analytics: true, personalization: true, ts: Date.now() + 1000 });
    expect(forged.status).toBe(403);
    const err = (await forged.json<ErrorJson>()).error;
    expect(err.code).toBe("consent_receipt_required");
    expect(err.issues![0]!.path).toBe("receipt");
    const guessed = await postConsent(site, { anonymousId: "victim", analytics: true, personalization: true, receipt: "A".repeat(32) });
    expect(guessed.status).toBe(403);
    const e = event({ anonymousId: "victim" });
    expect((await (await postEvents(site, [e])).json<IngestResult>()).ignored).toEqual([e.id]);
    expect(await history(site, "victim")).toHaveLength(1);

    // The visitor, holding the receipt, can change their mind; the old receipt is then spent.
    const changed = await postConsent(site, { anonymousId: "victim", analytics: true, personalization: true, receipt: mine.receipt });
    expect(changed.status).toBe(200);
    expect((await postConsent(site, { anonymousId: "victim", analytics: false, personalization: false, receipt: mine.receipt })).status).toBe(403);
  });

  it("answers a re-sent identical choice without a receipt as unchanged, recording nothing", async () => {
    const site = await createSite();
    await postConsent(site, { anonymousId: "again", analytics: true, personalization: false });
    const res = await postConsent(site, { anonymousId: "again", analytics: true, personalization: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: false, receipt: null, consent: { analytics: true, personalization: false } });
    expect(await history(site, "again")).toHaveLength(1);
  });

  it("locks a choice recorded by the site's server against the public key; the server needs no receipt", async () => {
    const site = await createSite();
    expect((await serverConsent(site, { anonymousId: "acct", analytics: false, personalization: false })).status).toBe(200);
    const res = await postConsent(site, { anonymousId: "acct", analytics: true, personalization: true });
    expect(res.status).toBe(403);
    expect((await res.json<ErrorJson>()).error.code).toBe("consent_locked");
    const overruled = await (await serverConsent(site, { anonymousId: "acct", analytics: true, personalization: false })).json<ConsentAnswer>();
    expect(overruled).toMatchObject({ applied: true, consent: { analytics: true, personalization: false, source: "server" } });
  });

  it("holds a declined personalization on /v1/sessions/:id/next and /v1/recommendations naming only the session", async () => {
    const site = await createSite();
    // A model that knows a → b → c, so the session's own path produces the list (`personalized` means that).
    await putItems(site, ["a", "b", "c"].map((id) => ({ id, title: id })));
    const h = Date.now() - 2 * 3_600_000;
    const history = [0, 1, 2].flatMap((s) => ["a", "b", "c"].map((itemId, i) => event({ anonymousId: `h${s}`, sessionId: `hs${s}`, itemId, ts: h + s * 100 + i })));
    expect((await postEvents(site, history, { headers: serverHeaders(site) })).status).toBe(200);
    expect((await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN })).status).toBe(201);
    const t = Date.now() - 10_000;
    await postEvents(site, [
      event({ anonymousId: "p", sessionId: "sp", itemId: "a", ts: t }),
      event({ anonymousId: "p", sessionId: "sp", itemId: "b", ts: t + 1 }),
    ]);
    const before = await (await get(`/v1/sessions/sp/next`, { "x-edgerec-key": site.key })).json<{ pathLength: number; personalized: boolean }>();
    expect(before).toMatchObject({ pathLength: 2, personalized: true });

    // Declined after the session started: the live session object is told at once.
    expect((await postConsent(site, { anonymousId: "p", analytics: true, personalization: false })).status).toBe(200);
    const next = await (await get(`/v1/sessions/sp/next`, { "x-edgerec-key": site.key })).json<{ pathLength: number; personalized: boolean }>();
    expect(next).toMatchObject({ pathLength: 0, personalized: false });
    const recs = await (await get(`/v1/recommendations?sessionId=sp&k=3`, { "x-edgerec-key": site.key })).json<{ personalized: boolean }>();
    expect(recs.personalized).toBe(false);
    expect(await sessionStub(env, site.id, "sp").itemPath()).toEqual([]);

    // A session that starts after the decline learns it from ingest.
    await postEvents(site, [event({ anonymousId: "p", sessionId: "sp2", itemId: "a" })]);
    const later = await (await get(`/v1/sessions/sp2/next`, { "x-edgerec-key": site.key })).json<{ pathLength: number; personalized: boolean }>();
    expect(later).toMatchObject({ pathLength: 0, personalized: false });
  });

  it("clears the live session objects when analytics is declined after the fact, and offers erasure", async () => {
    const site = await createSite();
    await postEvents(site, [event({ anonymousId: "late", sessionId: "sl", itemId: "a" })]);
    expect(await sessionStub(env, site.id, "sl").snapshot()).not.toBeNull();
    const answer = await (await postConsent(site, { anonymousId: "late", analytics: false, personalization: false })).json<ConsentAnswer>();
    expect(answer.erasure).toEqual({ method: "POST", path: "/v1/users/me/forget" });
    const held = await runInDurableObject(sessionStub(env, site.id, "sl"), async (instance, state) => ({
      snapshot: instance.snapshot(),
      alarm: await state.storage.getAlarm(),
      path: state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'path_steps'`).toArray().length,
    }));
    expect(held).toEqual({ snapshot: null, alarm: null, path: 0 });
    // D1 keeps the history until the visitor asks for erasure (the offer above).
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM events WHERE site_id = ?`).bind(site.id).first<{ n: number }>())!.n).toBe(1);
  });

  it("erases in the same request when the decline says erase: true", async () => {
    const site = await createSite();
    await postEvents(site, [event({ anonymousId: "gone", sessionId: "sg", itemId: "a" }), event({ anonymousId: "stay", sessionId: "ss" })]);
    const res = await postConsent(site, { anonymousId: "gone", analytics: false, personalization: false, erase: true }, "text/plain");
    expect(res.status).toBe(200);
    const answer = await res.json<ConsentAnswer>();
    expect(answer.erasureReceipt).toMatchObject({ status: "done", erased: { events: 1, profiles: 1, consents: 1, consentHistory: 1 } });
    const rows = await env.DB.prepare(`SELECT anonymous_id FROM events WHERE site_id = ?`).bind(site.id).all<{ anonymous_id: string }>();
    expect(rows.results.map((r) => r.anonymous_id)).toEqual(["stay"]);

    const wrong = await postConsent(site, { anonymousId: "x", analytics: true, personalization: true, erase: true });
    expect(wrong.status).toBe(400);
    expect((await wrong.json<ErrorJson>()).error.issues![0]!.path).toBe("erase");
  });
});

