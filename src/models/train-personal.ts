// Personalization training for one site (called by the retrain job): every registered source's personal family
// (item-CF, content, graph, … from src/recommend/sources/) fed the catalog and visitors' histories, segments from
// profile behaviour with per-segment favourites, and trending per category.
import { ITEM_CF_WEIGHTS } from "../schemas/event-types";
import { trainSegments, type BehaviourSummary, type SegmentModel } from "../recommend/segments";
import { SegmentFavourites } from "../recommend/segment-favourites";
import { trendingByCategory } from "../recommend/trending";
import type { Neighbour } from "../recommend/types";
import { forEachCatalogPage, forEachHistoryPage, forEachProfileIdPage, profileSummaries } from "../storage/personal-repo";
import { PersonalFamiliesTrainer } from "./personal-families";
import { encodeFamilies, type EncodedArtifact } from "./shards";

/** Profiles whose behaviour feeds k-means (the rest are assigned to the nearest centroid). */
const MAX_SEGMENT_SAMPLE = 20_000;
const PROFILE_PAGE = 200;

export type PersonalData = {
  segments: SegmentModel | null;
  /** Most interacted items per segment (event-type weighted), best first. */
  segmentPopular: Neighbour[][];
  /** Trending items per catalog category, best first. */
  trendingByCategory: Record<string, Neighbour[]>;
};

export async function trainPersonal(
  d1: D1Database,
  siteId: string,
  now: number,
  trending: readonly Neighbour[],
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Promise<{ artifact: EncodedArtifact; data: PersonalData; metrics: Record<string, number> }> {
  const families = new PersonalFamiliesTrainer();
  const categoriesOf = new Map<string, string[]>();
  const categoryCount = new Map<string, number>();
  const catalogItems = await forEachCatalogPage(d1, siteId, (rows) => {
    for (const r of rows) {
      families.pushCatalog(r);
      categoriesOf.set(r.id, r.categories);
      for (const c of r.categories) categoryCount.set(c, (categoryCount.get(c) ?? 0) + 1);
    }
  });
  const topCategories = [...categoryCount].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c]) => c);

  // Segments: behaviour summaries in pages; the sample trains k-means, everyone is then assigned.
  const ids: string[] = [];
  const summaries: BehaviourSummary[] = [];
  await forEachProfileIdPage(d1, siteId, PROFILE_PAGE, async (page) => {
    if (summaries.length >= MAX_SEGMENT_SAMPLE) return;
    for (const s of await profileSummaries(d1, siteId, page)) {
      ids.push(s.profileId);
      summaries.push(s);
    }
  });
  const seg = trainSegments(summaries, topCategories, now);
  const segmentOf = new Map<string, number>();
  if (seg) ids.forEach((id, i) => segmentOf.set(id, seg.assign[i]!));
  log("segments", { siteId, profiles: summaries.length, k: seg?.model.k ?? 0, silhouette: seg?.model.silhouette ?? null });

  // Segment favourites cap each visitor's weight per item like trending does, so one visitor cannot make them; the
  // evaluation computes them with the same accumulator.
  const favourites = new SegmentFavourites(segmentOf, seg?.model.k ?? 0, ITEM_CF_WEIGHTS);
  const historyRows = await forEachHistoryPage(d1, siteId, (rows) => {
    for (const r of rows) {
      families.pushHistory(r);
      favourites.push(r.profileId, r.itemId, r.type);
    }
  });
  const built = families.build();
  const artifact = encodeFamilies(built.model);

  const segmentPopular = favourites.lists();
  const metrics = {
    catalogItems,
    historyRows,
    ...Object.fromEntries(Object.entries(built.items).map(([family, n]) => [`${family}Items`, n])),
    segments: seg?.model.k ?? 0,
    personalBytes: artifact.meta.totalBytes,
  };
  log("personalization built", { siteId, ...metrics });
  return { artifact, data: { segments: seg?.model ?? null, segmentPopular, trendingByCategory: trendingByCategory(trending, (id) => categoriesOf.get(id)) }, metrics };
}
