// Personalization training for one site (called by the retrain job): every registered source's personal family
// (item-CF, content, graph, … from src/recommend/sources/) fed the catalog and visitors' histories, segments from
// profile behaviour with per-segment favourites, and trending per category.
import { ITEM_CF_WEIGHTS } from "../schemas/event-types";
import type { SegmentModel } from "../recommend/segments";
import { SegmentFavourites } from "../recommend/segment-favourites";
import { trendingByCategory } from "../recommend/trending";
import type { Neighbour } from "../recommend/types";
import { forEachCatalogPage, forEachHistoryPage } from "../storage/personal-repo";
import { PersonalFamiliesTrainer } from "./personal-families";
import { trainSiteSegments } from "./train-segments";
import { encodeFamilies, type EncodedArtifact } from "./shards";
import { RerankFitTrainer, type RerankFit } from "./train-rerank";
import { RERANK_REFIT_MS } from "../config/limits";

export type PersonalData = {
  segments: SegmentModel | null;
  /** Most interacted items per segment id (event-type weighted), best first; index = segment id. */
  segmentPopular: Neighbour[][];
  /** Trending items per catalog category, best first. */
  trendingByCategory: Record<string, Neighbour[]>;
  /** The pipeline's learned re-ranker (src/models/train-rerank.ts); absent or null = the blend's order. */
  rerank?: RerankFit | null;
};

export async function trainPersonal(
  d1: D1Database,
  siteId: string,
  now: number,
  trending: readonly Neighbour[],
  log: (msg: string, fields?: Record<string, unknown>) => void,
  previous: () => Promise<PersonalData | null> = async () => null,
): Promise<{ artifact: EncodedArtifact; data: PersonalData; metrics: Record<string, number> }> {
  const families = new PersonalFamiliesTrainer();
  const before = await previous();
  // The re-ranker is refitted once a day (RERANK_REFIT_MS) and carried forward in between.
  const carried = before?.rerank && now - before.rerank.fittedAt < RERANK_REFIT_MS ? before.rerank : null;
  const rerank = carried ? null : new RerankFitTrainer(now);
  const categoriesOf = new Map<string, string[]>();
  const catalogItems = await forEachCatalogPage(d1, siteId, (rows) => {
    for (const r of rows) {
      families.pushCatalog(r);
      rerank?.pushCatalog(r);
      categoriesOf.set(r.id, r.categories);
    }
  });
  // Segments (src/models/train-segments.ts): a capped sample is clustered against the previous model's segments.
  const seg = await trainSiteSegments(d1, siteId, now, before?.segments ?? null, log);
  const segmentOf = seg.segmentOf;

  // Segment favourites cap each visitor's weight per item like trending does, so one visitor cannot make them; the
  // evaluation computes them with the same accumulator.
  const favourites = new SegmentFavourites(segmentOf, seg.model?.nextId ?? 0, ITEM_CF_WEIGHTS);
  const historyRows = await forEachHistoryPage(d1, siteId, (rows) => {
    for (const r of rows) {
      families.pushHistory(r);
      rerank?.pushHistory(r);
      favourites.push(r.profileId, r.itemId, r.type);
    }
  });
  const built = families.build();
  const artifact = encodeFamilies(built.model);
  const t0 = Date.now();
  const fitted = carried ?? rerank?.fit(trending, now) ?? null;

  const segmentPopular = favourites.lists();
  const metrics = {
    catalogItems,
    historyRows,
    ...Object.fromEntries(Object.entries(built.items).map(([family, n]) => [`${family}Items`, n])),
    segments: seg.model?.k ?? 0,
    personalBytes: artifact.meta.totalBytes,
    rerankExamples: fitted?.examples ?? 0,
    ...(rerank ? { rerankMs: Date.now() - t0 } : {}),
  };
  log("personalization built", { siteId, ...metrics });
  return { artifact, data: { segments: seg.model, segmentPopular, trendingByCategory: trendingByCategory(trending, (id) => categoriesOf.get(id)), rerank: fitted }, metrics };
}
