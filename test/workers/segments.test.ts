// Segments end to end in workerd: planted personas ingested through /v1/events, the retrain's segmentation in
// GET /admin/segments (candidates, projection, context factors), stable ids across a retrain on unchanged data
// (read from the visitors' profiles), the new-visitor segment, and the site config's segments block.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { demoCatalog, demoPlantedEvents } from "../../scripts/demo/generator";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

type Segments = {
  k: number;
  method: string;
  candidates: { method: string; k: number; chosen: boolean; silhouette: number; daviesBouldin: number }[];
  segments: { id: number; size: number; description: string; distinctive: boolean; topItems: string[] }[];
  newVisitors: { id: number; size: number; description: string };
  projection: { points: { x: number; y: number; segment: number }[]; centroids: { x: number; y: number; segment: number }[]; explained: [number, number] };
  contextFactors: { factors: { factor: string; importance: number }[]; summary: string } | null;
  stability: { previous: boolean; kept: number | null };
};
type Profile = { segment: { id: number; newVisitor: boolean; description: string } | null; behaviour: { score: number } | null };

async function retrain(site: TestSite): Promise<void> {
  const res = await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN });
  expect(res.status).toBe(201);
}

async function plantedShop(): Promise<{ site: TestSite; visitors: string[] }> {
  const site = await createSite();
  await putItems(site, demoCatalog().map((i) => ({ id: i.id, title: i.title, categories: i.categories, tags: i.tags })));
  const { events, truth } = demoPlantedEvents({ now: Date.now() - 60_000, visitors: 40, seed: 5, days: 7 });
  const batches: (typeof events)[] = [];
  for (let i = 0; i < events.length; i += 400) batches.push(events.slice(i, i + 400));
  for (const b of batches) expect((await postEvents(site, b, { headers: serverHeaders(site) })).status).toBe(200);
  return { site, visitors: [...truth.keys()] };
}

async function profile(site: TestSite, anon: string): Promise<Profile> {
  const res = await get(`/v1/users/${anon}`, serverHeaders(site));
  expect(res.status).toBe(200);
  return res.json<Profile>();
}

describe("GET /admin/segments", () => {
  it("reports every method's candidates, distinctive segments, the projection and the context factors; ids survive a retrain", async () => {
    const { site, visitors } = await plantedShop();
    await retrain(site);
    const res = await get(`/admin/segments?site=${site.id}`, ADMIN);
    expect(res.status).toBe(200);
    const body = await res.json<Segments>();
    expect(new Set(body.candidates.map((c) => c.method))).toEqual(new Set(["kmeans", "gmm", "dbscan"]));
    expect(body.candidates.filter((c) => c.chosen)).toHaveLength(1);
    expect(body.k).toBeGreaterThanOrEqual(3);
    expect(body.segments.reduce((n, s) => n + s.size, 0) + body.newVisitors.size).toBe(visitors.length);
    for (const s of body.segments) {
      expect(s.id).toBeGreaterThan(0);
      expect(s.description).not.toMatch(/-0\.00|average on every feature/);
      expect(s.topItems.length).toBeGreaterThan(0);
    }
    expect(body.projection.centroids.map((c) => c.segment).sort()).toEqual(body.segments.map((s) => s.id).sort());
    expect(body.projection.points.length).toBeGreaterThan(0);
    expect(body.contextFactors!.factors.map((f) => f.factor).sort()).toEqual(["country", "device", "hour of day", "weekday"]);
    expect(body.contextFactors!.summary).toMatch(/matters most/);
    expect(body.stability.previous).toBe(false);

    // A dozen profiles (the server key's rate limit in tests is 40 a minute); `stability.kept` covers everyone.
    const some = visitors.slice(0, 12);
    const before = await Promise.all(some.map((v) => profile(site, v)));
    expect(before.every((p) => p.segment !== null && p.behaviour !== null)).toBe(true);
    await retrain(site);
    const after = await Promise.all(some.map((v) => profile(site, v)));
    expect(after.map((p) => p.segment!.id)).toEqual(before.map((p) => p.segment!.id));
    const again = await (await get(`/admin/segments?site=${site.id}`, ADMIN)).json<Segments>();
    expect(again.stability).toEqual({ previous: true, matched: body.k, kept: 1 });
  }, 60_000);

  it("tells a visitor with one page view they are a new visitor, and serves them no segment favourites", async () => {
    const { site } = await plantedShop();
    await postEvents(site, [event({ anonymousId: "newcomer", sessionId: "n1", itemId: "jackets-001", context: { device: "mobile", locale: "en-GB" } })]);
    await retrain(site);
    const p = await profile(site, "newcomer");
    expect(p.segment).toMatchObject({ id: 0, newVisitor: true });
    expect(p.segment!.description).toMatch(/^new visitors: fewer than 3 events/);
    const recs = await get(`/v1/recommendations?anonymousId=newcomer&sessionId=n1&slot=home&k=10&key=${site.key}`);
    expect(recs.status).toBe(200);
    const list = await recs.json<{ items: { reason: { kind: string; text: string } }[] }>();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.some((i) => i.reason.kind === "segment" || /shoppers like you/.test(i.reason.text))).toBe(false);
  }, 60_000);

  it("takes its settings from the site config, and refuses a bad segments block naming the field", async () => {
    const { site } = await plantedShop();
    const put = (config: unknown) =>
      exports.default.fetch(`${BASE}/admin/sites/${site.id}/config`, { method: "PUT", headers: { ...ADMIN, "content-type": "application/json" }, body: JSON.stringify(config) });
    const bad = await put({ slots: {}, segments: { kMin: 6, kMax: 3 } });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues![0]!.path).toBe("segments.kMax");
    expect((await put({ slots: {}, segments: { methods: ["kmeans"], kMin: 2, kMax: 4, minEvents: 2 } })).status).toBe(200);
    await retrain(site);
    const body = await (await get(`/admin/segments?site=${site.id}`, ADMIN)).json<Segments>();
    expect(body.candidates.every((c) => c.method === "kmeans" && c.k <= 4)).toBe(true);
    expect(body.newVisitors.description).toMatch(/fewer than 2 events/);
  }, 60_000);

  it("answers 404 for an unknown site and 400 without one", async () => {
    expect((await get(`/admin/segments?site=nope-${crypto.randomUUID().slice(0, 8)}`, ADMIN)).status).toBe(404);
    expect((await get(`/admin/segments`, ADMIN)).status).toBe(400);
  });
});
