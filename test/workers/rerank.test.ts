// The retrain fits the pipeline's re-ranker (src/models/train-rerank.ts) on the newest days of visitors' runs, each
// held out from a copy of every list trained on the older ones (here only the newest day has runs), stores it in the
// version's personal data, and carries it forward to the next version until a day has passed.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { RERANK_MIN_EXAMPLES } from "../../src/config/limits";
import type { Manifest } from "../../src/models/manifest";
import type { PersonalData } from "../../src/models/train-personal";
import { usableModel } from "../../src/recommend/rerank";
import { kvKeys } from "../../src/storage/kv-keys";
import { ADMIN, BASE, createSite, event, get, postEvents, putItems, serverHeaders, type TestSite } from "./helpers";

const HOUR = 3_600_000;
const STEPS = 8;
const HELD_OUT = 200;
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
  // 50 visitors three days ago (the head copy) and 200 in the last hours (held out: enough prefixes for
  // RERANK_MIN_EXAMPLES), each a walk of 8 steps with a revisit; 50 visitors a batch (the server key's cap is 100).
  const walk = (who: string, t0: number, s: number) =>
    Array.from({ length: STEPS }, (_, i) => {
      const step = i === 3 ? 1 : i;
      return event({ anonymousId: who, sessionId: `${who}-s`, itemId: `item-${(s + step * (1 + (s % 3))) % ITEMS.length}`, ts: t0 + i * 1000 });
    });
  const visitors = [
    ...Array.from({ length: 50 }, (_, s) => walk(`old${s}`, Date.now() - 72 * HOUR + s * 60_000, s)),
    ...Array.from({ length: HELD_OUT }, (_, s) => walk(`new${s}`, Date.now() - 5 * HOUR + s * 60_000, s)),
  ];
  for (let b = 0; b < visitors.length; b += 50) expect((await postEvents(site, visitors.slice(b, b + 50).flat(), { headers: serverHeaders(site) })).status).toBe(200);
}, 60_000);

describe("the retrain's re-ranker", () => {
  it("is fitted on the held-out day, stored with the version, and carried forward by the next retrain", { timeout: 60_000 }, async () => {
    const first = await retrain();
    expect(first.data.rerank).toBeTruthy();
    expect(usableModel(first.data.rerank!.model)).not.toBeNull();
    expect(first.data.rerank!.prefixes).toBe(HELD_OUT * (STEPS - 1));
    expect(first.data.rerank!.examples).toBeGreaterThanOrEqual(RERANK_MIN_EXAMPLES);
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
