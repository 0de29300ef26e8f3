// Targeting per segment (issue 13 part 7): a slot's config differs per segment id (rules, weights, sources, k), and
// an experiment can enrol one segment only, so "a playlist for one segment, measured" runs end to end.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decodeExposure, exposureDay, NO_VARIANT } from "../../src/recommend/exposure";
import { demoCatalog, demoPlantedEvents, PLANTED_PERSONAS } from "../../scripts/demo/generator";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

type List = { recommendationId: string; items: { id: string }[] };

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, { method, headers: { ...ADMIN, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** A shop of planted personas, trained; a visitor of the jacket persona and one of another segment, with their segment ids. */
async function shop(): Promise<{ site: TestSite; jacket: { anon: string; segment: number }; other: { anon: string; segment: number } }> {
  const site = await createSite();
  await putItems(site, demoCatalog().map((i) => ({ id: i.id, title: i.title, categories: i.categories, tags: i.tags })));
  const { events, truth } = demoPlantedEvents({ now: Date.now() - 60_000, visitors: 40, seed: 5, days: 7 });
  for (let i = 0; i < events.length; i += 400) expect((await postEvents(site, events.slice(i, i + 400), { headers: serverHeaders(site) })).status).toBe(200);
  expect((await admin("POST", `/admin/retrain?site=${site.id}`)).status).toBe(201);
  const of = async (persona: string) => {
    const anon = [...truth].find(([, p]) => p === persona)![0];
    const p = await (await get(`/v1/users/${anon}`, serverHeaders(site))).json<{ segment: { id: number } }>();
    return { anon, segment: p.segment.id };
  };
  // On 40 visitors two personas can share a segment: the second visitor is of the first persona in another one.
  const jacket = await of(PLANTED_PERSONAS[0].name);
  for (const persona of PLANTED_PERSONAS.slice(1)) {
    const other = await of(persona.name);
    if (other.segment !== jacket.segment) return { site, jacket, other };
  }
  throw new Error("every planted persona fell in one segment");
}

async function serve(site: TestSite, anon: string, slot = "home"): Promise<List> {
  const res = await get(`/v1/recommendations?slot=${slot}&anonymousId=${anon}&key=${site.key}`);
  expect(res.status).toBe(200);
  return res.json<List>();
}

describe("per-segment slot config", () => {
  it("serves a segment its own rules and k, and everyone else the slot's defaults", async () => {
    const { site, jacket, other } = await shop();
    expect(jacket.segment).not.toBe(other.segment);
    const cfg = await admin("PUT", `/admin/sites/${site.id}/config`, {
      slots: { home: { k: 6, segments: { [String(other.segment)]: { k: 3, rules: { includeCategories: ["lamps"] } } } } },
    });
    expect(cfg.status).toBe(200);
    const forOther = await serve(site, other.anon);
    expect(forOther.items).toHaveLength(3);
    expect(forOther.items.every((i) => i.id.startsWith("lamps-"))).toBe(true);
    const forJacket = await serve(site, jacket.anon);
    expect(forJacket.items).toHaveLength(6);
    expect(forJacket.items.some((i) => !i.id.startsWith("lamps-"))).toBe(true);
  }, 60_000);

  it("refuses an override that contradicts itself, naming the field", async () => {
    const site = await createSite();
    const res = await admin("PUT", `/admin/sites/${site.id}/config`, {
      slots: { home: { segments: { "2": { rules: { includeCategories: ["a"], excludeCategories: ["a"] } } } } },
    });
    expect(res.status).toBe(400);
    const body = await res.json<ErrorJson>();
    expect(body.error.issues!.some((i) => i.path.startsWith("slots.home.segments.2.rules."))).toBe(true);
    const bad = await admin("PUT", `/admin/sites/${site.id}/config`, { slots: { home: { segments: { jackets: { k: 3 } } } } });
    expect(bad.status).toBe(400);
    expect((await bad.json<ErrorJson>()).error.issues![0]!.path).toMatch(/^slots\.home\.segments/);
  });
});

describe("an experiment for one segment", () => {
  it("enrols that segment's visitors only; the others are served outside it (variant none)", async () => {
    const { site, jacket, other } = await shop();
    const exp = `e${crypto.randomUUID().slice(0, 8)}`;
    const put = await admin("PUT", `/admin/experiments/${exp}?site=${site.id}`, {
      slots: ["home"],
      segment: jacket.segment,
      variants: [
        { name: "control", weight: 1, change: { control: true } },
        { name: "playlist", weight: 1, change: { rules: { includeCategories: ["jackets"] } } },
      ],
    });
    expect(put.status).toBe(201);
    expect((await put.json<{ segment: number }>()).segment).toBe(jacket.segment);
    expect((await admin("POST", `/admin/experiments/${exp}/start?site=${site.id}`)).status).toBe(200);
    const insideList = await serve(site, jacket.anon);
    const inside = decodeExposure(insideList.recommendationId)!;
    expect(inside.variant.startsWith(`${exp}:`)).toBe(true);
    const outside = decodeExposure((await serve(site, other.anon)).recommendationId)!;
    expect(outside.variant).toBe(NO_VARIANT);

    // Measured: the segment visitor's impression and click roll up under the experiment's variant.
    const ctx = { recommendationId: insideList.recommendationId, slot: "home" };
    const itemId = insideList.items[0]!.id;
    const t = Date.now() - 30_000;
    expect((await postEvents(site, [event({ anonymousId: jacket.anon, sessionId: "t1", type: "impression", itemId, ts: t, context: ctx }), event({ anonymousId: jacket.anon, sessionId: "t1", type: "click", itemId, ts: t + 1000, context: ctx })])).status).toBe(200);
    const day = exposureDay(inside);
    const rows = (await (await get(`/admin/metrics?site=${site.id}&from=${day}&to=${day}`, ADMIN)).json<{ rows: { variant: string; impressions: number; clicks: number }[] }>()).rows;
    expect(rows.find((r) => r.variant === inside.variant)).toMatchObject({ impressions: 1, clicks: 1 });

    // The winner becomes that segment's change of the slot, not the whole site's.
    const declared = await admin("POST", `/admin/experiments/${exp}/winner?site=${site.id}`, { variant: "playlist" });
    expect(declared.status).toBe(200);
    const { config } = await declared.json<{ config: { slots: Record<string, { includeCategories?: string[]; segments?: Record<string, unknown> }> } }>();
    expect(config.slots.home?.includeCategories).toBeUndefined();
    expect(config.slots.home?.segments?.[String(jacket.segment)]).toEqual({ rules: { includeCategories: ["jackets"] } });
    // … and the segment now gets the playlist outside any experiment.
    const after = await serve(site, jacket.anon);
    expect(decodeExposure(after.recommendationId)!.variant).toBe(NO_VARIANT);
    expect(after.items.every((i) => i.id.startsWith("jackets-"))).toBe(true);
  }, 60_000);
});
