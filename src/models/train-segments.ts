// The retrain's segmentation step for one site: samples the profiles to cluster (deterministically, capped at
// SEGMENT_MAX_CLUSTERED), reads their behaviour summaries from D1, trains against the previous model's segments
// (stable ids), then assigns every other profile with enough evidence to its nearest centroid.
import { SEGMENT_MAX_CLUSTERED } from "../config/limits";
import { assignSegment, NEW_VISITOR_SEGMENT, segmentSettings, trainSegments, type SegmentModel } from "../recommend/segments";
import { database } from "../storage/db";
import { forEachProfileCountPage, profileSummaries } from "../storage/personal-repo";
import { findSite } from "../storage/sites-repo";
import { fnv1a32 } from "./shards";

const PAGE = 200;

/**
 * The model (null without enough evidence) and each behaviourally segmented profile's id (new visitors are left
 * out: their segment has no favourites).
 */
export async function trainSiteSegments(
  d1: D1Database,
  siteId: string,
  now: number,
  previous: SegmentModel | null,
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Promise<{ model: SegmentModel | null; segmentOf: Map<string, number> }> {
  const site = await findSite(database(d1), siteId);
  const settings = segmentSettings(site?.config.segments);
  // Pass 1: the profiles with enough evidence whose id hashes lowest (a bounded, sorted reservoir).
  let chosen: { id: string; h: number }[] = [];
  let eligible = 0;
  const profiles = await forEachProfileCountPage(d1, siteId, PAGE, async (rows) => {
    for (const r of rows) {
      if (r.eventCount < settings.minEvents) continue;
      eligible++;
      chosen.push({ id: r.id, h: fnv1a32(r.id) });
    }
    if (chosen.length > 2 * SEGMENT_MAX_CLUSTERED) chosen = chosen.sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : 1)).slice(0, SEGMENT_MAX_CLUSTERED);
  });
  chosen = chosen.sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : 1)).slice(0, SEGMENT_MAX_CLUSTERED);
  const sampleIds = chosen.map((c) => c.id).sort();
  const summaries = [];
  for (let i = 0; i < sampleIds.length; i += PAGE) summaries.push(...(await profileSummaries(d1, siteId, sampleIds.slice(i, i + PAGE))));
  summaries.sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
  const trained = trainSegments(summaries, now, { settings, previous, profiles });
  const segmentOf = new Map<string, number>();
  if (!trained) {
    log("segments", { siteId, profiles, eligible, k: 0 });
    return { model: null, segmentOf };
  }
  summaries.forEach((s, i) => {
    if (trained.assign[i] !== NEW_VISITOR_SEGMENT) segmentOf.set(s.profileId, trained.assign[i]!);
  });
  // Pass 2, only when the sample left profiles out: everyone else with evidence, by nearest centroid.
  if (eligible > sampleIds.length) {
    const inSample = new Set(sampleIds);
    await forEachProfileCountPage(d1, siteId, PAGE, async (rows) => {
      const rest = rows.filter((r) => r.eventCount >= settings.minEvents && !inSample.has(r.id)).map((r) => r.id);
      for (const s of await profileSummaries(d1, siteId, rest)) {
        const id = assignSegment(s, trained.model, now);
        if (id !== null && id !== NEW_VISITOR_SEGMENT) segmentOf.set(s.profileId, id);
      }
    });
  }
  const m = trained.model;
  log("segments", { siteId, profiles, eligible, clustered: m.clustered, method: m.method, k: m.k, silhouette: m.silhouette, daviesBouldin: m.daviesBouldin, kept: m.stability.kept });
  return { model: m, segmentOf };
}
