import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { proofValid } from "../../src/ingest/verify-identity";
import { clearSiteCache, credentialCached, credentialForKey } from "../../src/lib/site-cache";
import { encodeShard } from "../../src/models/artifact";
import { clearCatalogCache, itemDetails } from "../../src/serving/catalog-cache";
import { cachedConsent, dropCachedConsent, saveConsent } from "../../src/storage/consent-repo";
import { kvKeys } from "../../src/storage/kv-keys";
import { readPersonalData, readShardAt } from "../../src/storage/model-store";
import { createSite, userHash } from "./helpers";

// The isolate caches behave as before their move to IsolateCache, against real D1 and KV.
describe("isolate caches", () => {
  it("site credentials: concurrent lookups of one key share one answer; unknown keys are cached as misses", async () => {
    const site = await createSite();
    clearSiteCache();
    const [a, b] = await Promise.all([credentialForKey(env.DB, site.key, 30_000), credentialForKey(env.DB, site.key, 30_000)]);
    expect(a?.site.id).toBe(site.id);
    expect(a?.kind).toBe("write");
    expect(b).toBe(a); // one load, one object
    expect(await credentialForKey(env.DB, site.key, 30_000)).toBe(a);
    const unknown = `pk_test_${crypto.randomUUID().replaceAll("-", "")}`;
    expect(credentialCached(unknown)).toBe(false);
    expect(await credentialForKey(env.DB, unknown, 30_000)).toBeNull();
    expect(credentialCached(unknown)).toBe(true);
    clearSiteCache();
    expect(credentialCached(site.key)).toBe(false);
  });

  it("consent: a saved choice applies at once in this isolate; erasure's drop makes the next read go to D1", async () => {
    const site = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    expect(await cachedConsent(env.DB, site.id, anon)).toBeNull(); // "no choice" is cached too
    await saveConsent(env.DB, site.id, { anonymousId: anon, analytics: true, personalization: false }, "server", Date.now());
    expect(await cachedConsent(env.DB, site.id, anon)).toMatchObject({ analytics: true, personalization: false });
    await env.DB.prepare("DELETE FROM consents WHERE site_id = ?1 AND anonymous_id = ?2").bind(site.id, anon).run();
    expect(await cachedConsent(env.DB, site.id, anon)).toMatchObject({ personalization: false }); // still the cached copy
    dropCachedConsent(site.id, anon);
    expect(await cachedConsent(env.DB, site.id, anon)).toBeNull();
  });

  it("catalog details: cached (including 'not in the catalog') until the catalog cache is cleared", async () => {
    const site = await createSite();
    await env.DB.prepare("INSERT INTO items (site_id, id, title, available, categories, tags, created_at, updated_at) VALUES (?1, 'i1', 'Tent', 1, '[]', '[]', 1, 1)")
      .bind(site.id)
      .run();
    const first = await itemDetails(env.DB, site.id, ["i1", "absent"]);
    expect(first.get("i1")?.title).toBe("Tent");
    expect(first.get("absent")).toBeNull();
    await env.DB.prepare("UPDATE items SET title = 'Dome tent' WHERE site_id = ?1 AND id = 'i1'").bind(site.id).run();
    expect((await itemDetails(env.DB, site.id, ["i1"])).get("i1")?.title).toBe("Tent");
    clearCatalogCache();
    expect((await itemDetails(env.DB, site.id, ["i1"])).get("i1")?.title).toBe("Dome tent");
  });

  it("model store: a version's data is kept once read, a miss is not (it may not have propagated yet)", async () => {
    const siteId = `s-${crypto.randomUUID().slice(0, 8)}`;
    const version = "v1";
    const key = kvKeys.shard(siteId, version, 0);
    expect(await readPersonalData<{ n: number }>(env.MODELS, siteId, version)).toBeNull();
    await env.MODELS.put(kvKeys.personalData(siteId, version), JSON.stringify({ n: 1 }));
    expect(await readPersonalData<{ n: number }>(env.MODELS, siteId, version)).toEqual({ n: 1 });
    await env.MODELS.put(kvKeys.personalData(siteId, version), JSON.stringify({ n: 2 }));
    expect(await readPersonalData<{ n: number }>(env.MODELS, siteId, version)).toEqual({ n: 1 }); // immutable by version

    expect(await readShardAt(env.MODELS, key)).toBeNull();
    await env.MODELS.put(key, encodeShard([{ itemId: "a", lists: { after: [{ itemId: "b", score: 1 }], with: [] } }], 0, 1));
    const shard = await readShardAt(env.MODELS, key);
    expect(shard?.itemCount).toBe(1);
    expect(await readShardAt(env.MODELS, key)).toBe(shard);
  });

  it("identity proofs: the cached HMAC key verifies again and again, and only the right proof", async () => {
    const site = await createSite();
    const good = await userHash(site, "user-1");
    const results = await Promise.all([1, 2, 3].map(() => proofValid([site.identitySecret], "user-1", good)));
    expect(results).toEqual([true, true, true]);
    expect(await proofValid([site.identitySecret], "user-2", good)).toBe(false);
  });
});
