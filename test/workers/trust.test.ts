// The attacks of issue 8 that only need the public write key, as regression tests: identity hijack and reverse
// merge, profile-id and history leaks, the list cache answering by claimed user id, and key roles.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/schemas/events";
import type { ProfileView } from "../../src/storage/profiles-repo";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, userHash, type ErrorJson, type TestSite } from "./helpers";

const HOUR = 3_600_000;

/** A victim with a known user id, identified by the site's backend, who bought a tent. */
async function victimOf(site: TestSite): Promise<{ userId: string; anon: string }> {
  const userId = `victim-${crypto.randomUUID().slice(0, 8)}`;
  const anon = `vanon-${crypto.randomUUID()}`;
  const t0 = Date.now() - 2 * HOUR;
  const res = await postEvents(
    site,
    [
      event({ anonymousId: anon, userId, type: "identify", itemId: undefined, sessionId: "vs", ts: t0 }),
      event({ anonymousId: anon, userId, type: "purchase", itemId: "tent", sessionId: "vs", ts: t0 + 1 }),
      event({ anonymousId: anon, userId, type: "view", itemId: "lamp", sessionId: "vs", ts: t0 + 2 }),
    ],
    { headers: serverHeaders(site) },
  );
  expect(res.status).toBe(200);
  return { userId, anon };
}

async function profileAsServer(site: TestSite, id: string): Promise<ProfileView> {
  const res = await get(`/v1/users/${encodeURIComponent(id)}`, serverHeaders(site));
  expect(res.status).toBe(200);
  return res.json<ProfileView>();
}

describe("identity hijack with the public key", () => {
  it("stores an unproven userId as anonymous and says why; the attacker never reaches the victim's profile", async () => {
    const site = await createSite();
    const victim = await victimOf(site);
    const attacker = `attacker-${crypto.randomUUID()}`;
    const res = await postEvents(site, [
      event({ anonymousId: attacker, userId: victim.userId, type: "identify", itemId: undefined, sessionId: "as" }),
      event({ anonymousId: attacker, userId: victim.userId, type: "view", itemId: "boot", sessionId: "as", userHash: "0".repeat(64) }),
    ]);
    expect(res.status).toBe(200);
    const body = await res.json<IngestResult>();
    expect(body.accepted).toHaveLength(2);
    expect(body.warnings?.map((w) => [w.index, w.field, w.code])).toEqual([
      [0, "userId", "unverified_user_id"],
      [1, "userId", "unverified_user_id"],
    ]);
    // The attacker's own id reads only the attacker's anonymous profile.
    const own = await get(`/v1/users/${attacker}`, { "x-edgerec-key": site.key });
    expect(own.status).toBe(200);
    const ownView = await own.json<ProfileView>();
    expect(ownView.userId).toBeNull();
    expect(ownView.counts.purchase).toBe(0);
    expect(ownView.recentItems.map((r) => r.itemId)).toEqual(["boot"]);
    // Later anonymous events of the attacker stay out of the victim's history.
    await postEvents(site, [event({ anonymousId: attacker, itemId: "sock", sessionId: "as" })]);
    const victimView = await profileAsServer(site, victim.userId);
    expect(victimView.anonymousIds).toEqual([victim.anon]);
    expect(victimView.recentItems.map((r) => r.itemId).sort()).toEqual(["lamp", "tent"]);
    const links = await env.DB.prepare("SELECT COUNT(*) AS n FROM identities WHERE site_id = ? AND external_id = ?").bind(site.id, attacker).first<{ n: number }>();
    expect(links!.n).toBe(1);
  });

  it("links a user id from the browser when it carries the backend's proof", async () => {
    const site = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    const res = await postEvents(site, [
      event({ anonymousId: anon, userId: "u-proven", type: "identify", itemId: undefined, userHash: await userHash(site, "u-proven") }),
    ]);
    expect((await res.json<IngestResult>()).warnings).toBeUndefined();
    const view = await profileAsServer(site, "u-proven");
    expect(view.anonymousIds).toEqual([anon]);
    // The proof itself is never stored.
    const stored = await env.DB.prepare("SELECT context, properties FROM events WHERE site_id = ?").bind(site.id).all();
    expect(JSON.stringify(stored.results)).not.toContain(await userHash(site, "u-proven"));
  });

  it("does not merge a victim's profile into the attacker's (victim's anonymous id, attacker's user id)", async () => {
    const site = await createSite();
    const victim = await victimOf(site);
    // Unproven: stored as an anonymous event of the victim's device, no link, no merge.
    await postEvents(site, [event({ anonymousId: victim.anon, userId: "attacker-user", type: "identify", itemId: undefined })]);
    expect((await get(`/v1/users/attacker-user`, serverHeaders(site))).status).toBe(404);
    // Even with a valid proof for the attacker's own account, the victim's user profile is never folded into it.
    await postEvents(site, [
      event({ anonymousId: victim.anon, userId: "attacker-user", type: "identify", itemId: undefined, userHash: await userHash(site, "attacker-user") }),
    ]);
    const attackerView = await profileAsServer(site, "attacker-user");
    expect(attackerView.counts.purchase).toBe(0);
    expect(attackerView.recentItems).toEqual([]);
    const victimView = await profileAsServer(site, victim.userId);
    expect(victimView.userId).toBe(victim.userId);
    expect(victimView.counts.purchase).toBe(1);
    expect(victimView.recentItems.map((r) => r.itemId).sort()).toEqual(["lamp", "tent"]);
  });

  it("trusts user ids as sent only when the site turned verification off", async () => {
    const site = await createSite(undefined, { identityVerification: "off" });
    const anon = `anon-${crypto.randomUUID()}`;
    const res = await postEvents(site, [event({ anonymousId: anon, userId: "u-open", type: "identify", itemId: undefined })]);
    expect((await res.json<IngestResult>()).warnings).toBeUndefined();
    expect((await profileAsServer(site, "u-open")).anonymousIds).toEqual([anon]);
  });
});

describe("profile reads", () => {
  it("never shows the internal profile id (it embeds an anonymous id) to the public key", async () => {
    const site = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    await postEvents(site, [event({ anonymousId: anon })]);
    const text = await (await get(`/v1/users/${anon}`, { "x-edgerec-key": site.key })).text();
    expect(JSON.parse(text)).not.toHaveProperty("profileId");
    expect(text).not.toContain(`a:${anon}`);
    expect((await profileAsServer(site, anon)).profileId).toBeDefined();
  });

  it("reads by user id with the public key only with the user's proof, and hides other devices' ids", async () => {
    const site = await createSite();
    const victim = await victimOf(site);
    const bare = await get(`/v1/users/${victim.userId}`, { "x-edgerec-key": site.key });
    expect(bare.status).toBe(404);
    const forged = await get(`/v1/users/${victim.userId}?userHash=${"ab".repeat(32)}`, { "x-edgerec-key": site.key });
    expect(forged.status).toBe(401);
    expect((await forged.json<ErrorJson>()).error.issues?.[0]?.path).toBe("userHash");
    const proven = await get(`/v1/users/${victim.userId}?userHash=${await userHash(site, victim.userId)}`, { "x-edgerec-key": site.key });
    expect(proven.status).toBe(200);
    const view = await proven.json<ProfileView>();
    expect(view.counts.purchase).toBe(1);
    expect(view.anonymousIds).toEqual([]);
  });

  it("answers a wrong admin token or server key with 401, never a 404 that hides it", async () => {
    const site = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    await postEvents(site, [event({ anonymousId: anon })]);
    for (const id of ["someone", anon]) {
      for (const authorization of ["Bearer wrong-token", "Bearer sk_not_a_real_key_000000000000000000000", "Bearer "]) {
        const res = await get(`/v1/users/${id}`, { "x-edgerec-key": site.key, authorization });
        expect(res.status, `${id} ${authorization}`).toBe(401);
        expect((await res.json<ErrorJson>()).error.code).toBe("invalid_credentials");
      }
    }
  });
});

describe("recommendations by user id", () => {
  async function shop(): Promise<{ site: TestSite; victim: { userId: string; anon: string } }> {
    const site = await createSite();
    await putItems(site, ["tent", "lamp", "boot", "sock", "stove", "mat"].map((id) => ({ id, title: `Item ${id}`, categories: ["gear"] })));
    const t0 = Date.now() - 3 * HOUR;
    const events = [];
    for (let v = 0; v < 10; v++) {
      for (const [i, itemId] of ["tent", "lamp", "stove", "mat", "boot", "sock"].entries()) {
        events.push(event({ anonymousId: `h-${v}`, sessionId: `hs-${v}`, itemId, type: i === 0 ? "purchase" : "view", ts: t0 + v * 10 + i }));
      }
    }
    expect((await postEvents(site, events)).status).toBe(200);
    const victim = await victimOf(site);
    const retrain = await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN });
    expect(retrain.status).toBe(201);
    return { site, victim };
  }

  it("refuses a list built from a user's history to the public key without proof, cached or not", async () => {
    const { site, victim } = await shop();
    // The victim's own list, through the site's backend, fills the cache.
    const own = await get(`/v1/recommendations?userId=${victim.userId}&slot=home&k=5`, serverHeaders(site));
    expect(own.status).toBe(200);
    const ownBody = await own.json<{ recommendationId: string; items: { id: string; reason: { text: string } }[] }>();
    expect(ownBody.items.map((i) => i.id)).not.toContain("tent");
    for (const q of ["", "&excludePurchased=false", "&excludePurchased=true"]) {
      const res = await get(`/v1/recommendations?userId=${victim.userId}&slot=home&k=5${q}`, { "x-edgerec-key": site.key });
      expect(res.status).toBe(401);
      const body = await res.json<ErrorJson>();
      expect(body.error.code).toBe("unverified_user_id");
      expect(body.error.issues?.[0]?.path).toBe("userHash");
    }
    // Another visitor claiming the user id alongside their own anonymous id gets no cached copy of the victim's list.
    const claimed = await get(`/v1/recommendations?userId=${victim.userId}&anonymousId=other-${crypto.randomUUID()}&slot=home&k=5`, { "x-edgerec-key": site.key });
    expect(claimed.status).toBe(401);
    // With the user's proof (the signed-in user in their own browser) the list is served.
    const proven = await get(`/v1/recommendations?userId=${victim.userId}&userHash=${await userHash(site, victim.userId)}&slot=home&k=5`, { "x-edgerec-key": site.key });
    expect(proven.status).toBe(200);
  });

  it("serves visitors whose ids are long multi-byte strings (hashed KV cache keys)", async () => {
    const { site } = await shop();
    const emoji = "😀".repeat(60); // 120 UTF-16 units, 240 bytes (MAX_ID_BYTES is 256); two of them with the prefix pass 512
    for (const q of [`anonymousId=${encodeURIComponent(emoji)}`, `anonymousId=${encodeURIComponent("漢字".repeat(42))}&sessionId=${encodeURIComponent(emoji)}`]) {
      const res = await get(`/v1/recommendations?${q}&slot=home&k=3`, { "x-edgerec-key": site.key });
      expect(res.status).toBe(200);
    }
    const proven = await get(`/v1/recommendations?userId=${encodeURIComponent(emoji)}&userHash=${await userHash(site, emoji)}&k=3`, { "x-edgerec-key": site.key });
    expect(proven.status).toBe(200);
  });
});

describe("keys with roles", () => {
  const rotate = (site: TestSite, kind: string, overlapSeconds?: number) =>
    exports.default.fetch(`${BASE}/admin/sites/${site.id}/keys/rotate`, {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify(overlapSeconds === undefined ? { kind } : { kind, overlapSeconds }),
    });
  const items = (key: string) => exports.default.fetch(`${BASE}/v1/items/none`, { headers: { "x-edgerec-key": key } });

  it("rotates a write key with an overlap in which both keys work, or revokes the old one at once", async () => {
    const site = await createSite();
    const res = await rotate(site, "write");
    expect(res.status).toBe(201);
    const { writeKey } = await res.json<{ writeKey: string }>();
    expect((await items(site.key)).status).toBe(404);
    expect((await items(writeKey)).status).toBe(404);
    const again = await (await rotate(site, "write", 0)).json<{ writeKey: string }>();
    for (const old of [site.key, writeKey]) expect((await items(old)).status).toBe(401);
    expect((await items(again.writeKey)).status).toBe(404);
    const listing = await (await get(`/admin/sites/${site.id}`, ADMIN)).text();
    expect(listing).not.toContain(again.writeKey);
  });

  it("keeps proofs made with the previous identity secret valid during the overlap only", async () => {
    const site = await createSite();
    const oldProof = await userHash(site, "u-rot");
    const { identitySecret } = await (await rotate(site, "identity", 3600)).json<{ identitySecret: string }>();
    expect(identitySecret).toMatch(/^is_/);
    const send = async (hash: string) =>
      (await (await postEvents(site, [event({ anonymousId: `a-${crypto.randomUUID()}`, userId: "u-rot", type: "identify", itemId: undefined, userHash: hash })])).json<IngestResult>()).warnings;
    expect(await send(oldProof)).toBeUndefined();
    expect(await send(await userHash({ ...site, identitySecret }, "u-rot"))).toBeUndefined();
    await rotate(site, "identity", 0);
    expect((await send(oldProof))?.[0]?.code).toBe("unverified_user_id");
  });

  it("refuses a server key in the URL, and gives the server key no CORS headers", async () => {
    const site = await createSite();
    const inUrl = await get(`/v1/items/none?key=${site.serverKey}`);
    expect(inUrl.status).toBe(401);
    expect((await inUrl.json<ErrorJson>()).error.code).toBe("server_key_in_url");
    const fromPage = await get(`/v1/items/none`, { ...serverHeaders(site), origin: site.origin });
    expect(fromPage.headers.get("access-control-allow-origin")).toBeNull();
    const viaBearer = await get(`/v1/users/nobody`, { authorization: `Bearer ${site.serverKey}` });
    expect(viaBearer.status).toBe(404);
  });

  it("does not let one site's server key act on another site", async () => {
    const a = await createSite();
    const b = await createSite();
    const victim = await victimOf(a);
    const res = await get(`/v1/users/${victim.userId}`, serverHeaders(b));
    expect(res.status).toBe(404);
    const mixed = await get(`/v1/users/${victim.userId}`, { "x-edgerec-key": a.key, authorization: `Bearer ${b.serverKey}` });
    expect(mixed.status).toBe(401);
  });
});
