import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, PATH_TYPE_LIST, type EventType } from "../../src/schemas/event-types";
import type { ProfileView } from "../../src/storage/profiles-repo";
import { TRENDING_WEIGHT_SQL } from "../../src/storage/trending-sql";
import { ADMIN, createSite, event, get, postEvents, serverHeaders } from "./helpers";

/** The hand-written CASE trending used before the event-type table, kept here to prove the generated one equal. */
const OLD_TRENDING_WEIGHT_SQL = `CASE type WHEN 'purchase' THEN 5.0 WHEN 'add_to_cart' THEN 3.0 WHEN 'like' THEN 2.0 WHEN 'share' THEN 2.0 ELSE 1.0 END`;

describe("event-type table in SQL", () => {
  it("the generated trending CASE gives the old weights for every type (evaluated by D1)", async () => {
    const { results } = await env.DB.prepare(
      // The subquery renames json_each's value to `type` (json_each has a `type` column of its own).
      `SELECT type, ${TRENDING_WEIGHT_SQL} AS w, ${OLD_TRENDING_WEIGHT_SQL} AS old FROM (SELECT value AS type FROM json_each(?1))`,
    )
      .bind(JSON.stringify([...EVENT_TYPES, "not_a_type"]))
      .all<{ type: string; w: number | null; old: number }>();
    const byType = Object.fromEntries(results.map((r) => [r.type, r.w]));
    // The ten types that existed before the table keep their numbers (a type added later brings its own).
    const before = { view: 1, click: 1, add_to_cart: 3, purchase: 5, like: 2, share: 2, dwell: 1, impression: 1, search: 1, identify: 1 };
    expect(byType).toMatchObject({ ...before, not_a_type: null });
    for (const r of results) if (r.type in before) expect(r.w, r.type).toBe(r.old);
    for (const t of EVENT_TYPES) expect(typeof byType[t], t).toBe("number"); // no type without a weight
  });

  it("ingest counts one event of every type in its own profile counter, and the profile read returns them all", async () => {
    const site = await createSite();
    const anon = `anon-${crypto.randomUUID()}`;
    const t0 = Date.now() - 10_000;
    const extra: Partial<Record<EventType, Record<string, unknown>>> = { identify: { userId: `u-${crypto.randomUUID()}` } };
    const batch = EVENT_TYPES.map((type, i) => event({ anonymousId: anon, type, itemId: "sku", ts: t0 + i, ...extra[type] }));
    const res = await postEvents(site, batch, { headers: serverHeaders(site) });
    expect(res.status).toBe(200);
    const view = await (await get(`/v1/users/${anon}`, { ...ADMIN, "x-edgerec-key": site.key })).json<ProfileView>();
    expect(view.counts).toEqual(Object.fromEntries(EVENT_TYPES.map((t) => [t, 1])));
    expect(view.eventCount).toBe(EVENT_TYPES.length);
    // profile_items counts only the path types.
    expect(view.recentItems).toEqual([expect.objectContaining({ itemId: "sku", interactions: PATH_TYPE_LIST.length, carts: 1, purchases: 1 })]);
  });
});
