import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/schemas/events";
import type { ProfileView } from "../../src/storage/profiles-repo";
import { sessionStub } from "../../src/session/session-client";
import { ADMIN, BASE, createSite, event, get, postEvents, type ErrorJson, type TestSite } from "./helpers";

function postConsent(site: TestSite, body: unknown, contentType = "application/json"): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/consent?key=${site.key}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: JSON.stringify(body),
  });
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
});
