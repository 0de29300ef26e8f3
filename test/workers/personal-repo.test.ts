import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forEachCatalogPage, forEachHistoryPage, profileSummaries, visitorReads } from "../../src/storage/personal-repo";
import { ADMIN, BASE, createSite, event, postEvents } from "./helpers";

describe("personalization reads", () => {
  it("summarise a profile's behaviour: counters, category shares, device and hour mix", async () => {
    const site = await createSite();
    await exports.default.fetch(`${BASE}/v1/items`, {
      method: "PUT",
      headers: { ...ADMIN, "x-edgerec-key": site.key, "content-type": "application/json" },
      body: JSON.stringify({ items: [{ id: "s1", categories: ["shoes"] }, { id: "k1", categories: ["socks", "sale"] }] }),
    });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    await postEvents(site, [
      event({ anonymousId: "p", itemId: "s1", ts: hour + 1, context: { device: "mobile" } }),
      event({ anonymousId: "p", itemId: "s1", type: "purchase", ts: hour + 2, context: { device: "mobile" } }),
      event({ anonymousId: "p", itemId: "k1", ts: hour + 3 }),
    ]);
    const [summary] = await profileSummaries(env.DB, site.id, ["a:p"]);
    expect(summary).toMatchObject({
      profileId: "a:p",
      eventCount: 3,
      counts: { view: 2, purchase: 1 },
      categoryCounts: { shoes: 2, socks: 1, sale: 1 },
      deviceCounts: { mobile: 2, unknown: 1 },
    });
    expect(summary!.hourCounts[new Date(hour).getUTCHours()]).toBe(3);
    // The recommend path's one round trip: identity lookup, history (newest first) and the same summary.
    const read = await visitorReads(env.DB, site.id, { anonymousId: "p" }, 10, true);
    expect(read.profileId).toBe("a:p");
    expect(read.history).toEqual([
      { itemId: "k1", lastTs: hour + 3, interactions: 1, carts: 0, purchases: 0, type: "view" },
      { itemId: "s1", lastTs: hour + 2, interactions: 2, carts: 0, purchases: 1, type: "purchase" },
    ]);
    expect(read.summary).toEqual(summary);
    expect((await visitorReads(env.DB, site.id, { anonymousId: "p" }, 1, false)).history.map((h) => h.itemId)).toEqual(["k1"]);
    expect((await visitorReads(env.DB, site.id, { anonymousId: "p" }, 1, false)).summary).toBeNull();
    // An unknown user id falls back to the anonymous id's profile; an unknown visitor has none.
    expect((await visitorReads(env.DB, site.id, { userId: "nobody", anonymousId: "p" }, 10, false)).profileId).toBe("a:p");
    expect(await visitorReads(env.DB, site.id, { anonymousId: "stranger" }, 10, true)).toEqual({ profileId: null, history: [], summary: null });

    const history: string[] = [];
    await forEachHistoryPage(env.DB, site.id, (rows) => history.push(...rows.map((r) => `${r.profileId}:${r.itemId}:${r.type}`)));
    expect(history).toEqual(["a:p:s1:view", "a:p:s1:purchase", "a:p:k1:view"]);
    const catalog: string[] = [];
    await forEachCatalogPage(env.DB, site.id, (rows) => catalog.push(...rows.map((r) => `${r.id}:${r.categories.join("|")}`)));
    expect(catalog).toEqual(["k1:socks|sale", "s1:shoes"]);
  });
});
