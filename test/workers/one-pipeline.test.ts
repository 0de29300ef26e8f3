// One pipeline (issue 9 part 1): the same artifact and inputs through the Worker's routes (KV shards loaded on
// demand, D1 catalog) and through the evaluation's path (every shard decoded in memory by scripts/eval/pipeline-view.ts,
// the stages of src/recommend/pipeline.ts called directly) give identical lists, for /next, /similar and a
// visitor's /v1/recommendations with history, segment, content, graph and back-fill all in play.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodePopular } from "../../src/models/artifact";
import type { Manifest } from "../../src/models/manifest";
import type { PersonalData } from "../../src/models/train-personal";
import { recommendInMemory, type ItemDetails, type PipelineRequest } from "../../src/recommend/pipeline";
import { RERANK_POOL } from "../../src/config/limits";
import { seededRandom } from "../../src/recommend/random";
import { RERANK_FEATURES, RERANK_INPUTS } from "../../src/recommend/rerank";
import { assignSegment } from "../../src/recommend/segments";
import type { HistoryEntry } from "../../src/recommend/sources/types";
import { database } from "../../src/storage/db";
import { kvKeys } from "../../src/storage/kv-keys";
import { profileSummaries, visitorReads } from "../../src/storage/personal-repo";
import { profileIdFor } from "../../src/storage/profiles-repo";
import { memoryCatalog, memoryView, type MemoryArtifact } from "../../scripts/eval/pipeline-view";
import { CLIENT_PATH_MAX_ITEMS } from "../../src/config/limits";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type ErrorJson, type TestSite } from "./helpers";

type Item = { id: string; score: number; reason: { kind: string; itemId?: string; text: string } };
type List = { personalized?: boolean; items: Item[] };
const HOUR = 3_600_000;
const CATEGORIES = ["packs", "lamps", "tents"];
const ITEMS = Array.from({ length: 18 }, (_, i) => ({
  id: `item-${i}`,
  title: `Item ${i}`,
  categories: [CATEGORIES[i % 3]!],
  tags: i % 2 === 0 ? ["light"] : ["sturdy"],
}));

let site: TestSite;
let artifact: MemoryArtifact;
let catalog: Map<string, ItemDetails>;

async function routeList(path: string): Promise<List> {
  const res = await get(path, { "x-edgerec-key": site.key });
  expect(res.status, path).toBe(200);
  return res.json<List>();
}

async function readAll(keys: string[]): Promise<Uint8Array[]> {
  return Promise.all(keys.map(async (k) => new Uint8Array((await env.MODELS.get(k, "arrayBuffer"))!)));
}

/** What the evaluation path would serve for the same request. */
function evalList(req: Omit<PipelineRequest, "rules" | "allowUncatalogued"> & Partial<Pick<PipelineRequest, "rules">>): List {
  const out = recommendInMemory({ rules: {}, allowUncatalogued: false, ...req }, memoryView(artifact), memoryCatalog(catalog));
  return { personalized: out.personalized, items: out.items };
}

function expectSame(route: List, evaluated: List): void {
  expect(route.items.map((i) => [i.id, i.reason])).toEqual(evaluated.items.map((i) => [i.id, i.reason]));
  route.items.forEach((item, n) => expect(item.score).toBeCloseTo(evaluated.items[n]!.score, 3));
}

beforeAll(async () => {
  site = await createSite();
  await putItems(site, ITEMS);
  const t0 = Date.now() - 6 * HOUR;
  const events: Record<string, unknown>[] = [];
  // 30 shoppers, each two visits: walks along the item ring with a stride, some carts and purchases.
  for (let s = 0; s < 30; s++) {
    for (let visit = 0; visit < 2; visit++) {
      for (let i = 0; i < 5; i++) {
        const itemId = `item-${(s + visit * 3 + i * (1 + (s % 3))) % ITEMS.length}`;
        const type = i === 4 && s % 4 === 0 ? "purchase" : i === 3 && s % 3 === 0 ? "add_to_cart" : "view";
        events.push(event({ anonymousId: `h${s}`, sessionId: `h${s}-${visit}`, itemId, type, ts: t0 + s * 60_000 + visit * 2 * HOUR + i * 1000 }));
      }
    }
  }
  expect((await postEvents(site, events, { headers: serverHeaders(site) })).status).toBe(200);
  expect((await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN })).status).toBe(201);
  // The evaluation's inputs: the version the retrain wrote, every shard at once, and the catalog.
  const manifest = (await env.MODELS.get<Manifest>(kvKeys.manifest(site.id), "json"))!;
  const v = manifest.current;
  const data = (await env.MODELS.get<PersonalData>(kvKeys.personalData(site.id, v.version), "json"))!;
  // The shoppers are all inside the re-ranker's held-out day, so the retrain fitted none: plant one (random weights)
  // before any route reads the version, so the comparison covers the re-ranking stage too.
  const rand = seededRandom(7);
  data.rerank = { model: { features: [...RERANK_FEATURES], weights: Array.from({ length: RERANK_INPUTS }, () => rand() - 0.5), pool: RERANK_POOL }, fittedAt: Date.now(), prefixes: 0, examples: 0 };
  await env.MODELS.put(kvKeys.personalData(site.id, v.version), JSON.stringify(data));
  const trending = decodePopular(new Uint8Array((await env.MODELS.get(kvKeys.trendingLive(site.id), "arrayBuffer"))!));
  artifact = {
    sessionShards: await readAll(Array.from({ length: v.nShards }, (_, i) => kvKeys.shard(site.id, v.version, i))),
    personalShards: await readAll(Array.from({ length: v.personal!.nShards }, (_, i) => kvKeys.personalShard(site.id, v.version, i))),
    trending,
    trendingByCategory: data.trendingByCategory,
    segmentPopular: data.segmentPopular,
    rerank: data.rerank.model,
  };
  expect(v.personal?.families).toContain("graph");
  catalog = new Map(ITEMS.map((it) => [it.id, { ...it, available: true }]));
}, 60_000);

describe("the Worker's routes and the evaluation's path give identical lists", () => {
  it("/v1/sessions/:id/next", async () => {
    const path = ["item-1", "item-4", "item-7"];
    await postEvents(site, path.map((itemId, i) => event({ anonymousId: "walker", sessionId: "walk-1", itemId, ts: Date.now() - 10_000 + i })));
    const route = await routeList(`/v1/sessions/walk-1/next?k=8`);
    const evaluated = evalList({ ctx: { path, current: "item-7", history: [], segment: null, now: Date.now() }, sessionPath: path, k: 8 });
    expect(route.items).toHaveLength(8);
    expectSame(route, evaluated);
    expect(route.personalized).toBe(evaluated.personalized);
    expect(route.items.map((i) => i.id)).not.toContain("item-7");
    // The graph family is served and shaped this list: without it the evaluation's list differs.
    const withoutGraph = evalList({ ctx: { path, current: "item-7", history: [], segment: null, now: Date.now() }, sessionPath: path, k: 8, weights: { graph: 0 } });
    expect(withoutGraph.items.map((i) => [i.id, i.score])).not.toEqual(route.items.map((i) => [i.id, i.score]));
    // The version's re-ranker is served too: without it the evaluation's order differs.
    const plainArtifact = artifact;
    artifact = { ...artifact, rerank: null };
    const withoutRerank = evalList({ ctx: { path, current: "item-7", history: [], segment: null, now: Date.now() }, sessionPath: path, k: 8 });
    artifact = plainArtifact;
    expect(withoutRerank.items.map((i) => i.id)).not.toEqual(route.items.map((i) => i.id));
  });

  it("a read carrying its session path (what the snippet sends) serves the list the live session would", async () => {
    const path = ["item-2", "item-8", "item-2", "item-11"];
    await postEvents(site, path.map((itemId, i) => event({ anonymousId: "carrier", sessionId: "walk-2", itemId, ts: Date.now() - 10_000 + i })));
    const live = await routeList(`/v1/sessions/walk-2/next?k=8`);
    // A session id the Worker never saw: the list can only come from the carried path.
    const carried = await routeList(`/v1/sessions/never-seen/next?k=8&path=${path.join(",")}`);
    expect(carried.items).toHaveLength(8);
    expectSame(carried, live);
    const evaluated = evalList({ ctx: { path, current: "item-11", history: [], segment: null, now: Date.now() }, sessionPath: path, k: 8 });
    expectSame(carried, evaluated);
    // The slot route takes it too (no sessionId needed), and leaves out what the path saw.
    const slot = await routeList(`/v1/recommendations?slot=next-up&k=8&path=${path.join(",")}`);
    expect(slot.items.map((i) => i.id).filter((id) => path.includes(id))).toEqual([]);
    // Too long a path is refused, naming it.
    const long = Array.from({ length: CLIENT_PATH_MAX_ITEMS + 1 }, (_, i) => `item-${i % ITEMS.length}`).join(",");
    const res = await get(`/v1/sessions/never-seen/next?path=${long}`, { "x-edgerec-key": site.key });
    expect(res.status).toBe(400);
    expect((await res.json<ErrorJson>()).error.issues?.map((i) => i.path)).toEqual(["path"]);
  });

  it("/v1/items/:id/similar", async () => {
    const route = await routeList(`/v1/items/item-5/similar?k=10`);
    const evaluated = evalList({ ctx: { path: ["item-5"], current: "item-5", history: [], segment: null, now: Date.now() }, sessionPath: [], k: 10 });
    expect(route.items).toHaveLength(10);
    expectSame(route, evaluated);
  });

  it("/v1/recommendations for a returning visitor with a live session and an item on screen", async () => {
    const q = `anonymousId=h3&sessionId=h3-1&itemId=item-9&k=12&slot=product`;
    const route = await routeList(`/v1/recommendations?${q}`);
    // The visitor's inputs as the evaluation holds them: their history (newest first), segment and session path.
    const profileId = (await profileIdFor(database(env.DB), site.id, "anon", "h3"))!;
    const rows = (await visitorReads(env.DB, site.id, { anonymousId: "h3" }, 30, false)).history;
    const history: HistoryEntry[] = rows.map((r) => ({ itemId: r.itemId, ts: r.lastTs, type: r.type, purchases: r.purchases }));
    const data = (await env.MODELS.get<PersonalData>(kvKeys.personalData(site.id, (await env.MODELS.get<Manifest>(kvKeys.manifest(site.id), "json"))!.current.version), "json"))!;
    const summary = (await profileSummaries(env.DB, site.id, [profileId]))[0]!;
    const now = Date.now();
    const segment = data.segments ? assignSegment(summary, data.segments, now) : null;
    const steps = (await (await get(`/v1/sessions/h3-1`, { "x-edgerec-key": site.key })).json<{ path: { itemId: string }[] }>()).path;
    const session = steps.map((s) => s.itemId);
    expect(session.length).toBeGreaterThan(2);
    const evaluated = evalList({ ctx: { path: [...session, "item-9"], current: "item-9", history, segment, now }, sessionPath: session, k: 12 });
    expect(route.items).toHaveLength(12);
    expectSame(route, evaluated);
    expect(route.personalized).toBe(true);
    expect(evaluated.personalized).toBe(true);
    // More than one source shaped it (history, content, session), so the comparison covers the blend.
    expect(new Set(route.items.map((i) => i.reason.kind)).size).toBeGreaterThan(1);
  });
});

describe("GET /admin/sources", () => {
  it("lists every registered source with its families, and a site's own weights", async () => {
    const res = await exports.default.fetch(`${BASE}/admin/sites/${site.id}/config`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ weights: { graph: 0.5 } }),
    });
    expect(res.status).toBe(200);
    const body = await (await get(`/admin/sources?site=${site.id}`, ADMIN)).json<{ sources: { name: string; weight: number; defaultWeight: number; families: { artifact: string; family: string }[] }[] }>();
    expect(body.sources.map((s) => s.name)).toEqual(["session", "itemCf", "content", "graph", "segment", "trending", "sequence"]);
    const graph = body.sources.find((s) => s.name === "graph")!;
    expect(graph).toMatchObject({ weight: 0.5, families: [{ artifact: "personal", family: "graph" }] });
    expect(graph.defaultWeight).not.toBe(0.5);
    expect((await get(`/admin/sources?site=nope`, ADMIN)).status).toBe(404);
    expect((await get(`/admin/sources`, { "x-edgerec-key": site.key })).status).toBe(401);
  });
});
