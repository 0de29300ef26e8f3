import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Manifest, ModelVersion } from "../../src/models/manifest";
import { recCacheVisitorPrefix } from "../../src/serving/rec-cache";
import { kvKeys } from "../../src/storage/kv-keys";
import { clearModelCaches } from "../../src/storage/model-store";
import { rewriteAsFormat1 } from "./format1";
import { ADMIN, BASE, createSite, event, get, postEvents, serverHeaders, type ErrorJson, type TestSite, putItems } from "./helpers";

type Recs = { cached: boolean; personalized: boolean; items: { id: string; reason: { kind: string; text: string } }[] };
const HOUR = 3_600_000;

async function retrain(site: TestSite): Promise<void> {
  const res = await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN });
  expect(res.status).toBe(201);
}

/** A small shop: shoes and socks bought together, tents and lamps; a brand-new boot nobody has seen. */
async function shop(): Promise<TestSite> {
  const site = await createSite();
  await putItems(site, [
    { id: "boot", title: "Boot", categories: ["shoes"], tags: ["waterproof"] },
    { id: "new-boot", title: "New Boot", categories: ["shoes"], tags: ["waterproof"] },
    { id: "runner", title: "Runner", categories: ["shoes"], tags: [] },
    { id: "sock", title: "Sock", categories: ["socks"], tags: [] },
    { id: "sock2", title: "Sock 2", categories: ["socks"], tags: [] },
    { id: "tent", title: "Tent", categories: ["tents"], tags: [] },
    { id: "lamp", title: "Lamp", categories: ["lamps"], tags: [] },
  ]);
  const t0 = Date.now() - 3 * HOUR;
  const events: Record<string, unknown>[] = [];
  for (let v = 0; v < 12; v++) {
    const walk = v % 2 ? ["boot", "sock", "runner", "sock2"] : ["tent", "lamp", "boot"];
    walk.forEach((itemId, i) => events.push(event({ anonymousId: `hist-${v}`, sessionId: `hs-${v}`, itemId, ts: t0 + v * 100 + i, context: { device: v % 2 ? "mobile" : "desktop" } })));
  }
  // Seeded as the site's backend would: one batch spanning more sessions than a browser's write key may.
  expect((await postEvents(site, events, { headers: serverHeaders(site) })).status).toBe(200);
  return site;
}

const recs = async (site: TestSite, query: string) => {
  const res = await get(`/v1/recommendations?${query}`, { "x-edgerec-key": site.key });
  return { status: res.status, body: (await res.json()) as Recs & ErrorJson };
};

describe("personalized recommendations", () => {
  it("reaches a brand-new item through content similarity", async () => {
    const site = await shop();
    await retrain(site);
    const r = await recs(site, "itemId=boot&k=6&slot=product");
    const fresh = r.body.items.find((i) => i.id === "new-boot");
    expect(fresh).toBeDefined();
    expect(fresh!.reason.kind).toBe("similar");
    expect(fresh!.reason.text).toBe("similar to Boot");
  });

  it("serves the same list from a version written in format 1 (item-CF and content in unnamed slots)", async () => {
    const query = "anonymousId=hist-1&sessionId=f1&itemId=boot&k=6&slot=product";
    // A format-1 deploy had no graph family: compare with the graph source switched off.
    const noGraph = async (site: TestSite) => {
      const res = await exports.default.fetch(`${BASE}/admin/sites/${site.id}/config`, {
        method: "PUT",
        headers: { ...ADMIN, "content-type": "application/json" },
        body: JSON.stringify({ weights: { graph: 0 } }),
      });
      expect(res.status).toBe(200);
      return site;
    };
    const current = await noGraph(await shop());
    await retrain(current);
    const expected = (await recs(current, query)).body.items;
    expect(expected.map((i) => i.reason.kind)).toContain("similar");

    const old = await noGraph(await shop());
    await retrain(old);
    const v: ModelVersion = (await env.MODELS.get<Manifest>(kvKeys.manifest(old.id), "json"))!.current;
    const format1: ModelVersion = await rewriteAsFormat1(
      env.MODELS,
      { shard: (i) => kvKeys.shard(old.id, v.version, i), personalShard: (i) => kvKeys.personalShard(old.id, v.version, i) },
      v,
      { personal: true },
    );
    await env.MODELS.put(kvKeys.manifest(old.id), JSON.stringify({ current: format1, versions: [format1] }));
    clearModelCaches();
    expect((await recs(old, query)).body.items).toEqual(expected);
  });

  it("never recommends what the visitor bought, unless asked to", async () => {
    const site = await shop();
    await postEvents(site, [
      event({ anonymousId: "buyer", sessionId: "b1", itemId: "boot", ts: Date.now() - 2 * HOUR }),
      event({ anonymousId: "buyer", sessionId: "b1", itemId: "sock", type: "purchase", ts: Date.now() - 2 * HOUR + 1 }),
    ]);
    await retrain(site);
    const r = await recs(site, "anonymousId=buyer&sessionId=b2&itemId=boot&k=6");
    expect(r.body.items.map((i) => i.id)).not.toContain("sock");
    const allowed = await recs(site, "anonymousId=buyer&sessionId=b2&itemId=boot&k=6&excludePurchased=false");
    expect(allowed.body.items.map((i) => i.id)).toContain("sock");
  });

  it("applies category rules, per-category caps and pins, and refuses contradictions naming the parameter", async () => {
    const site = await shop();
    await retrain(site);
    const noShoes = await recs(site, "itemId=boot&k=6&excludeCategories=shoes");
    expect(noShoes.body.items.length).toBeGreaterThan(0);
    expect(noShoes.body.items.map((i) => i.id).filter((id) => ["new-boot", "runner"].includes(id))).toEqual([]);
    const onlySocks = await recs(site, "itemId=boot&k=6&includeCategories=socks");
    expect(onlySocks.body.items.map((i) => i.id).sort()).toEqual(["sock", "sock2"]);
    const capped = await recs(site, "itemId=boot&k=6&maxPerCategory=1&diversity=0.5");
    const cats = capped.body.items.map((i) => ({ "new-boot": "shoes", runner: "shoes", sock: "socks", sock2: "socks" })[i.id] ?? i.id);
    expect(new Set(cats).size).toBe(cats.length);
    const pinned = await recs(site, "itemId=boot&k=3&pin=lamp");
    expect(pinned.body.items[0]!.id).toBe("lamp");
    const clash = await recs(site, "itemId=boot&includeCategories=shoes&excludeCategories=shoes");
    expect(clash.status).toBe(400);
    expect(clash.body.error.issues?.[0]?.path).toBe("excludeCategories");
    const bad = await recs(site, "diversity=2");
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues?.[0]?.path).toBe("diversity");
  });

  it("uses the slot's configured defaults, overridable by the request", async () => {
    const site = await shop();
    await retrain(site);
    const cfg = await exports.default.fetch(`${BASE}/admin/sites/${site.id}/config`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ slots: { cart: { k: 2, excludeCategories: ["shoes"] } } }),
    });
    expect(cfg.status).toBe(200);
    const r = await recs(site, "slot=cart&itemId=boot");
    expect(r.body.items).toHaveLength(2);
    expect(r.body.items.map((i) => i.id)).not.toContain("runner");
    expect((await recs(site, "slot=cart&itemId=boot&k=4")).body.items).toHaveLength(4);
  });

  it("caches a visitor's list for that visitor only, and a new step makes it stale", async () => {
    const site = await shop();
    await retrain(site);
    await postEvents(site, [event({ anonymousId: "alice", sessionId: "sa", itemId: "tent" })]);
    const first = await recs(site, "anonymousId=alice&sessionId=sa&slot=home&k=3");
    expect(first.body.cached).toBe(false);
    await new Promise((r) => setTimeout(r, 50)); // the cache write runs after the response (waitUntil)
    const again = await recs(site, "anonymousId=alice&sessionId=sa&slot=home&k=3");
    expect(again.body.cached).toBe(true);
    expect(again.body.items).toEqual(first.body.items);
    const bob = await recs(site, "anonymousId=bob&sessionId=sa&slot=home&k=3");
    expect(bob.body.cached).toBe(false);
    const keys = await env.REC_CACHE.list({ prefix: `r/${site.id}/` });
    const alicePrefix = await recCacheVisitorPrefix(site.id, "a:alice");
    expect(keys.keys.some((k) => k.name.startsWith(alicePrefix))).toBe(true);
    // Visitor ids never appear in KV key names.
    expect(keys.keys.some((k) => k.name.includes("alice"))).toBe(false);

    await postEvents(site, [event({ anonymousId: "alice", sessionId: "sa", itemId: "lamp", type: "purchase" })]);
    const after = await recs(site, "anonymousId=alice&sessionId=sa&slot=home&k=3");
    expect(after.body.cached).toBe(false);
    expect(after.body.items.map((i) => i.id)).not.toContain("lamp");
  });

  it("reports visitor segments with sizes, descriptions and quality scores", async () => {
    const site = await shop();
    await retrain(site);
    const res = await get(`/admin/segments?site=${site.id}`, ADMIN);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { k: number; silhouette: number; daviesBouldin: number; segments: { size: number; description: string }[] };
    expect(body.k).toBeGreaterThanOrEqual(2);
    expect(body.segments.reduce((n, s) => n + s.size, 0)).toBe(12);
    expect(body.segments.every((s) => s.description.length > 0)).toBe(true);
    expect(typeof body.silhouette).toBe("number");
  });
});
