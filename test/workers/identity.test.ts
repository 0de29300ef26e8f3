import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ProfileView } from "../../src/storage/profiles-repo";
import { ADMIN, createSite, event, get, postEvents, serverHeaders } from "./helpers";

describe("identity linking", () => {
  it("links an anonymous profile to the user on identify, so either id reads one profile", async () => {
    const site = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    const t0 = Date.now() - 10_000;
    await postEvents(site, [event({ anonymousId: anon, itemId: "a", ts: t0 }), event({ anonymousId: anon, itemId: "b", ts: t0 + 1 })]);
    // User ids come from the site's backend here (server key); browsers need a proof (trust.test.ts).
    await postEvents(site, [event({ anonymousId: anon, type: "identify", userId: "user-42", itemId: undefined, ts: t0 + 2 })], { headers: serverHeaders(site) });
    await postEvents(site, [event({ anonymousId: anon, userId: "user-42", type: "purchase", itemId: "b", ts: t0 + 3 })], { headers: serverHeaders(site) });

    const byUser = await (await get(`/v1/users/user-42`, { ...ADMIN, "x-edgerec-key": site.key })).json<ProfileView>();
    const byAnon = await (await get(`/v1/users/${anon}`, { ...ADMIN, "x-edgerec-key": site.key })).json<ProfileView>();
    expect(byUser).toEqual(byAnon);
    expect(byUser.userId).toBe("user-42");
    expect(byUser.anonymousIds).toEqual([anon]);
    expect(byUser.counts).toMatchObject({ view: 2, identify: 1, purchase: 1 });
    expect(byUser.eventCount).toBe(4);
    expect(byUser.recentItems.map((r) => r.itemId)).toEqual(["b", "a"]);
    expect(byUser.recentItems[0]).toMatchObject({ interactions: 2, purchases: 1 });
  });

  it("merges a second device's anonymous profile into the known user's profile", async () => {
    const site = await createSite();
    const phone = `phone-${crypto.randomUUID()}`;
    const laptop = `laptop-${crypto.randomUUID()}`;
    const t0 = Date.now() - 10_000;
    await postEvents(site, [event({ anonymousId: phone, userId: "u-7", itemId: "a", ts: t0 })], { headers: serverHeaders(site) });
    await postEvents(site, [event({ anonymousId: laptop, itemId: "a", ts: t0 + 1 }), event({ anonymousId: laptop, itemId: "c", ts: t0 + 2 })]);
    // Before login the laptop is its own visitor.
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM profiles WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(before!.n).toBe(2);
    await postEvents(site, [event({ anonymousId: laptop, userId: "u-7", type: "identify", itemId: undefined, ts: t0 + 3 })], { headers: serverHeaders(site) });

    const profile = await (await get(`/v1/users/u-7`, { ...ADMIN, "x-edgerec-key": site.key })).json<ProfileView>();
    expect(profile.anonymousIds).toEqual([laptop, phone].sort());
    expect(profile.counts.view).toBe(3);
    expect(profile.recentItems.find((r) => r.itemId === "a")?.interactions).toBe(2);
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM profiles WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(after!.n).toBe(1);
    const orphanEvents = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE site_id = ? AND profile_id != ?")
      .bind(site.id, profile.profileId)
      .first<{ n: number }>();
    expect(orphanEvents!.n).toBe(0);
  });

  it("lets a visitor read their own profile by anonymous id, but never a profile by user id, with the public key", async () => {
    const site = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    await postEvents(site, [event({ anonymousId: anon, userId: "known-user", itemId: "x" })], { headers: serverHeaders(site) });
    const own = await get(`/v1/users/${anon}`, { "x-edgerec-key": site.key });
    expect(own.status).toBe(200);
    expect((await own.json<ProfileView>()).counts.view).toBe(1);
    const byUserId = await get(`/v1/users/known-user`, { "x-edgerec-key": site.key });
    expect(byUserId.status).toBe(404);
    const admin = await get(`/v1/users/known-user`, { ...ADMIN, "x-edgerec-key": site.key });
    expect(admin.status).toBe(200);
  });

  it("does not let one site read another site's profiles", async () => {
    const a = await createSite();
    const b = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    await postEvents(a, [event({ anonymousId: anon })]);
    expect((await get(`/v1/users/${anon}`, { "x-edgerec-key": a.key })).status).toBe(200);
    expect((await get(`/v1/users/${anon}`, { ...ADMIN, "x-edgerec-key": b.key })).status).toBe(404);
  });
});
