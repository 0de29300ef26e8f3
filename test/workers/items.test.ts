import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_ITEMS_PER_UPSERT } from "../../src/config/limits";
import { ADMIN, BASE, createSite, get, type ErrorJson, type TestSite } from "./helpers";

function putItems(site: TestSite, body: unknown, headers: Record<string, string> = ADMIN): Promise<Response> {
  return exports.default.fetch(`${BASE}/v1/items`, {
    method: "PUT",
    headers: { ...headers, "x-edgerec-key": site.key, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("PUT /v1/items", () => {
  it("upserts items and serves them by id", async () => {
    const site = await createSite();
    const res = await putItems(site, {
      items: [
        { id: "sku-1", title: "Red shoe", categories: ["shoes"], tags: ["red"], attributes: { price: 49.9 } },
        { id: "sku-2", available: false },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ upserted: 2 });
    const item = await (await get(`/v1/items/sku-1`, { "x-edgerec-key": site.key })).json();
    expect(item).toMatchObject({ id: "sku-1", title: "Red shoe", categories: ["shoes"], tags: ["red"], attributes: { price: 49.9 }, available: true });
    const second = await (await get(`/v1/items/sku-2`, { "x-edgerec-key": site.key })).json();
    expect(second).toMatchObject({ id: "sku-2", categories: [], tags: [], available: false });

    await putItems(site, { items: [{ id: "sku-1", title: "Crimson shoe", categories: ["shoes", "sale"] }] });
    const updated = await (await get(`/v1/items/sku-1`, { "x-edgerec-key": site.key })).json();
    expect(updated).toMatchObject({ title: "Crimson shoe", categories: ["shoes", "sale"] });
  });

  it("requires the admin token", async () => {
    const site = await createSite();
    const res = await putItems(site, { items: [{ id: "x" }] }, {});
    expect(res.status).toBe(401);
    expect((await res.json<ErrorJson>()).error.code).toBe("unauthorized");
    const wrong = await putItems(site, { items: [{ id: "x" }] }, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
  });

  it("rejects the whole call naming the field, writing nothing", async () => {
    const site = await createSite();
    const res = await putItems(site, { items: [{ id: "fine" }, { id: "bad", categories: "shoes" }] });
    expect(res.status).toBe(400);
    const body = await res.json<ErrorJson>();
    expect(body.error.issues?.[0]?.path).toBe("items[1].categories");
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM items WHERE site_id = ?").bind(site.id).first<{ n: number }>();
    expect(n!.n).toBe(0);
    const tooMany = await putItems(site, { items: Array.from({ length: MAX_ITEMS_PER_UPSERT + 1 }, (_, i) => ({ id: `i${i}` })) });
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json<ErrorJson>()).error.issues?.[0]?.path).toBe("items");
  });

  it("answers 404 for an unknown item", async () => {
    const site = await createSite();
    const res = await get(`/v1/items/missing`, { "x-edgerec-key": site.key });
    expect(res.status).toBe(404);
    expect((await res.json<ErrorJson>()).error.code).toBe("item_not_found");
  });
});
