import { describe, expect, it } from "vitest";
import { behaviourScores } from "../../../src/recommend/behaviour-score";
import { adjustedRand } from "../../../src/recommend/cluster-quality";
import { describeSegment, formatNumber } from "../../../src/recommend/segment-descriptions";
import { countryOf, featureColumns, summaryFromEvents, type BehaviourSummary, type SummaryEvent } from "../../../src/recommend/segment-features";
import { assignSegment, NEW_VISITOR_SEGMENT, segmentDescription, segmentSettings, trainSegments } from "../../../src/recommend/segments";
import { segmentSource } from "../../../src/recommend/sources/segment";
import { siteConfigSchema } from "../../../src/schemas/site-config";
import { demoCatalog, demoPlantedEvents } from "../../../scripts/demo/generator";

const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 15, 12);

function planted(visitors: number, seed: number): { ids: string[]; summaries: BehaviourSummary[]; truth: Map<string, string> } {
  const catalog = new Map(demoCatalog().map((i) => [i.id, i.categories]));
  const { events, truth } = demoPlantedEvents({ now, visitors, seed });
  const rows = new Map<string, SummaryEvent[]>();
  for (const e of events) rows.set(e.anonymousId, [...(rows.get(e.anonymousId) ?? []), e]);
  const ids = [...rows.keys()].sort();
  return { ids, summaries: ids.map((id) => summaryFromEvents(rows.get(id)!, (item) => catalog.get(item))), truth };
}

describe("behaviour summary and scores", () => {
  it("summarises events as the D1 summary does (known answer)", () => {
    const t0 = Date.UTC(2026, 0, 10, 23); // a Saturday, 23:00 UTC
    const s = summaryFromEvents(
      [
        { type: "view", ts: t0, sessionId: "a", itemId: "shoes-001", context: { device: "mobile", locale: "en-GB" } },
        { type: "add_to_cart", ts: t0 + 60_000, sessionId: "a", itemId: "shoes-001", context: { device: "mobile", locale: "en-GB" } },
        { type: "purchase", ts: t0 + 120_000, sessionId: "a", itemId: "shoes-001", context: { device: "mobile" } },
        { type: "view", ts: t0 + DAY, sessionId: "b", itemId: "tents-001", context: { device: "desktop", locale: "de" } },
      ],
      (id) => [id.split("-")[0]!],
    );
    expect(s).toMatchObject({ eventCount: 4, sessions: 2, sessionSeconds: 60, lastSeen: t0 + DAY, countryCounts: { GB: 2 }, deviceCounts: { mobile: 3, desktop: 1 } });
    expect(s.categoryCounts).toEqual({ shoes: 3, tents: 1 });
    expect(s.hourCounts[23]).toBe(4);
    expect(s.weekdayCounts).toEqual([1, 0, 0, 0, 0, 0, 3]);
  });

  it("scores recency, frequency, engagement and conversion on their documented curves", () => {
    const s: BehaviourSummary = { lastSeen: now - 7 * DAY, eventCount: 10, counts: { purchase: 1, add_to_cart: 2 }, categoryCounts: { shoes: 3, socks: 1 }, deviceCounts: {}, hourCounts: [], sessions: 3, sessionSeconds: 300 };
    const b = behaviourScores(s, now);
    expect(b).toMatchObject({ recency: 50, frequency: 50, engagement: 50, conversion: 53.3 });
    expect(b.score).toBeCloseTo(0.25 * 50 + 0.25 * 50 + 0.2 * 50 + 0.3 * 53.333, 0);
    expect(b.affinities).toEqual([
      { category: "shoes", share: 0.75 },
      { category: "socks", share: 0.25 },
    ]);
    expect(behaviourScores(s, now, { recency: 1, frequency: 0, engagement: 0, conversion: 0 }).score).toBe(50);
  });

  it("reads a coarse country from the locale only", () => {
    expect(countryOf("en-GB")).toBe("GB");
    expect(countryOf("pt_br")).toBe("BR");
    expect(countryOf("zh-Hant-TW")).toBe("TW");
    expect(countryOf("de")).toBeUndefined();
  });
});

describe("descriptions", () => {
  it("never prints -0.00 and says plainly when nothing stands out", () => {
    expect(formatNumber(-0.001)).toBe("0.00");
    expect(formatNumber(-0)).toBe("0.00");
    const cols = featureColumns({ categories: ["jackets"], countries: [] });
    const flat = describeSegment(cols, cols.map(() => 0.3), cols.map(() => 0.3), cols.map(() => 0.1));
    expect(flat.distinctive).toBe(false);
    expect(flat.description).not.toMatch(/average on every feature/);
  });
});

describe("trainSegments on planted personas", () => {
  const data = planted(400, 3);

  it("recovers the planted segments (ARI ≥ 0.8) with k-means and reports every method's candidates", () => {
    const r = trainSegments(data.summaries, now)!;
    expect(adjustedRand(data.ids.map((id) => data.truth.get(id)!), r.assign)).toBeGreaterThanOrEqual(0.8);
    expect(new Set(r.model.candidates.map((c) => c.method))).toEqual(new Set(["kmeans", "gmm", "dbscan"]));
    expect(r.model.candidates.filter((c) => c.chosen)).toHaveLength(1);
    expect(r.model.candidates.filter((c) => c.method === "kmeans").map((c) => c.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(r.model.segments.map((s) => s.id)).toEqual([1, 2, 3, 4]);
    for (const s of r.model.segments) {
      expect(s.distinctive).toBe(true);
      expect(s.description).not.toMatch(/-0\.00|average on every feature/);
    }
    expect(r.model.segments.some((s) => /mobile/.test(s.description) && /jackets/.test(s.description))).toBe(true);
  });

  it("stores the 2-D projection in the dashboard's shape", () => {
    const { projection, segments } = trainSegments(data.summaries, now)!.model;
    expect(projection.points.length).toBeGreaterThan(0);
    expect(projection.points.length).toBeLessThanOrEqual(400);
    expect(projection.centroids.map((c) => c.segment)).toEqual(segments.map((s) => s.id));
    expect(Object.keys(projection.points[0]!).sort()).toEqual(["segment", "x", "y"]);
    expect(projection.explained[0]).toBeGreaterThan(projection.explained[1]);
    expect(projection.explained[0] + projection.explained[1]).toBeLessThanOrEqual(1);
  });

  it("reports context factors with device and country ahead of weekday", () => {
    const ctx = trainSegments(data.summaries, now)!.model.context!;
    expect(ctx.accuracy).toBeGreaterThan(ctx.baseline.accuracy + 0.3);
    expect(["device", "country"]).toContain(ctx.factors[0]!.factor);
    expect(ctx.summary).toMatch(/matters most/);
  });

  it("keeps 100% of segment ids on an unchanged retrain and ≥ 90% after 5% new visitors", () => {
    const first = trainSegments(data.summaries, now)!;
    const again = trainSegments(data.summaries, now + 3_600_000, { previous: first.model })!;
    expect(again.assign).toEqual(first.assign);
    expect(again.model.stability).toMatchObject({ previous: true, kept: 1 });
    const extra = planted(20, 4);
    const grown = trainSegments([...data.summaries, ...extra.summaries], now + 3_600_000, { previous: first.model })!;
    const kept = first.assign.filter((id, i) => grown.assign[i] === id).length / first.assign.length;
    expect(kept).toBeGreaterThanOrEqual(0.9);
  });

  it("keeps every id on a retrain seconds later, whichever method the first chose, on small shops at any clock time", () => {
    // The workers test's shop (40 visitors over a week) at clock times a fortnight apart, the profiles in an order a
    // seeded shuffle gives (random profile ids): before the fix, 2 of these 46 cases (and 5 in 272 at 5-hour steps)
    // moved 11 of 40 visitors, DBSCAN's eps ties and DBSCAN/k-means trading places on a near-equal score.
    const catalog = new Map(demoCatalog().map((i) => [i.id, i.categories]));
    const cases: string[] = [];
    for (let h = 0; h < 24 * 14; h += 15) {
      for (let order = 0; order < 2; order++) {
        const at = Date.UTC(2026, 11, 1) + h * 3_600_000 + order * 777_000;
        const { events } = demoPlantedEvents({ now: at - 60_000, visitors: 40, seed: 5, days: 7 });
        const rows = new Map<string, SummaryEvent[]>();
        for (const e of events) rows.set(e.anonymousId, [...(rows.get(e.anonymousId) ?? []), e]);
        let state = h * 31 + order + 1;
        const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
        const ids = [...rows.keys()].map((id) => ({ id, r: rand() })).sort((a, b) => a.r - b.r).map((x) => x.id);
        const summaries = ids.map((id) => summaryFromEvents(rows.get(id)!, (item) => catalog.get(item)));
        const first = trainSegments(summaries, at)!;
        const before = summaries.map((s) => assignSegment(s, first.model, at + 1_000));
        expect(before).toEqual(first.assign);
        const again = trainSegments(summaries, at + 5_000, { previous: first.model })!;
        const after = summaries.map((s) => assignSegment(s, again.model, at + 6_000));
        const n = before.filter((id, i) => id !== after[i]).length;
        if (n > 0) cases.push(`h=${h} order=${order}: ${n} moved, ${first.model.method} k=${first.model.k} -> ${again.model.method} k=${again.model.k}`);
      }
    }
    expect(cases).toEqual([]);
  });

  it("gives visitors below the minimum evidence the new-visitor segment, which the segment source serves nothing", () => {
    const { model } = trainSegments(data.summaries, now)!;
    const one: BehaviourSummary = { lastSeen: now, eventCount: 1, counts: { view: 1 }, categoryCounts: { jackets: 1 }, deviceCounts: { mobile: 1 }, hourCounts: [], sessions: 1 };
    expect(assignSegment(one, model, now)).toBe(NEW_VISITOR_SEGMENT);
    expect(segmentDescription(model, NEW_VISITOR_SEGMENT)).toMatch(/^new visitors: fewer than 3 events/);
    const view = { session: () => undefined, personal: () => undefined, trending: [], segmentPopular: [[{ itemId: "x", score: 1 }]] };
    expect(segmentSource.candidates({ path: [], history: [], segment: NEW_VISITOR_SEGMENT, now }, view, 10)).toEqual([]);
    const withMore = trainSegments(data.summaries, now, { settings: segmentSettings({ minEvents: 1000 }) });
    expect(withMore).toBeNull();
  });

  it("is deterministic and survives a JSON round trip (it is stored in KV)", () => {
    const a = trainSegments(data.summaries, now)!;
    expect(trainSegments(data.summaries, now)).toEqual(a);
    expect(JSON.parse(JSON.stringify(a.model))).toEqual(a.model);
  });

  it("honours the settings: methods, k range and feature weights", () => {
    const r = trainSegments(data.summaries, now, { settings: segmentSettings({ methods: ["gmm"], kMin: 3, kMax: 5, weights: { country: 0, device: 0 } }) })!;
    expect(r.model.method).toBe("gmm");
    expect(r.model.candidates.map((c) => c.k)).toEqual([3, 4, 5]);
    expect(r.model.scaler.weight[r.model.featureNames.indexOf("mobile share")]).toBe(0);
  });
});

describe("site config segments block", () => {
  it("accepts settings and names the field of a bad one", () => {
    expect(siteConfigSchema.safeParse({ segments: { scaling: "minmax", weights: { device: 2 }, minEvents: 5, kMin: 2, kMax: 6, methods: ["kmeans"] } }).success).toBe(true);
    const bad = siteConfigSchema.safeParse({ segments: { kMin: 6, kMax: 3 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(["segments", "kMax"]);
    const unknown = siteConfigSchema.safeParse({ segments: { weights: { shoeSize: 1 } } });
    expect(unknown.error!.issues[0]!.path.slice(0, 2)).toEqual(["segments", "weights"]);
  });
});
