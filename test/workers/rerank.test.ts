// The retrain fits the pipeline's re-ranker (src/models/train-rerank.ts) on the newest day of visitors' runs, held
// out from a copy of every list trained on the older ones, stores it in the version's personal data, and carries it
// forward to the next version until a day has passed.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../src/models/manifest";
import type { PersonalData } from "../../src/models/train-personal";
import { usableModel } from "../../src/recommend/rerank";
import { kvKeys } from "../../src/storage/kv-keys";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type TestSite } from "./helpers";

const HOUR = 3_600_000;
const ITEMS = Array.from({ length: 12 }, (_, i) => ({ id: `item-${i}`, title: `Item ${i}`, categories: ["all"], tags: [] }));
let site: TestSite;

async function retrain(): Promise<{ manifest: Manifest; data: PersonalData }> {
  expect((await exports.default.fetch(`${BASE}/admin/retrain?site=${site.id}`, { method: "POST", headers: ADMIN })).status).toBe(201);
  const manifest = (await env.MODELS.get<Manifest>(kvKeys.manifest(site.id), "json"))!;
  const data = (await env.MODELS.get<PersonalData>(kvKeys.personalData(site.id, manifest.current.version), "json"))!;
  return { manifest, data };
}

beforeAll(async () => {
  site = await createSite();
  await putItems(site, ITEMS);
  const events: Record<string, unknown>[] = [];
  // 30 visitors three days ago (the head copy) and 15 in the last hours (held out), each a walk with revisits.
  const walk = (who: string, t0: number, s: number) => {
    for (let i = 0; i < 6; i++) {
      const step = i === 3 ? 1 : i;
      events.push(event({ anonymousId: who, sessionId: `${who}-s`, itemId: `item-${(s + step * (1 + (s % 3))) % ITEMS.length}`, ts: t0 + i * 1000 }));
    }
  };
  for (let s = 0; s < 30; s++) walk(`old${s}`, Date.now() - 72 * HOUR + s * 60_000, s);
  for (let s = 0; s < 15; s++) walk(`new${s}`, Date.now() - 3 * HOUR + s * 60_000, s);
  expect((await postEvents(site, events, { headers: serverHeaders(site) })).status).toBe(200);
}, 60_000);

describe("the retrain's re-ranker", () => {
  it("is fitted on the held-out day, stored with the version, and carried forward by the next retrain", async () => {
    const first = await retrain();
    expect(first.data.rerank).toBeTruthy();
    expect(usableModel(first.data.rerank!.model)).not.toBeNull();
    // 15 held-out runs of 6 steps: 75 prefixes.
    expect(first.data.rerank!.prefixes).toBe(75);
    expect(first.manifest.current.metrics?.rerankExamples).toBe(first.data.rerank!.examples);
    const second = await retrain();
    expect(second.manifest.current.version).not.toBe(first.manifest.current.version);
    expect(second.data.rerank).toEqual(first.data.rerank);
    expect(second.manifest.current.metrics?.rerankMs).toBeUndefined();
    // The version serves a full list with it.
    const res = await get(`/v1/recommendations?sessionId=new0-s&k=5`, { "x-edgerec-key": site.key });
    expect(res.status).toBe(200);
    expect((await res.json<{ items: unknown[] }>()).items).toHaveLength(5);
  });
});
