// Personalization training for one site (called by the retrain job): every registered source's personal family
// (item-CF, content, graph, … from src/recommend/sources/) fed the catalog and visitors' histories, segments from
// profile behaviour with per-segment favourites, trending per category and, once a day, the pipeline's re-ranker
// (in passes of its own over the history, after the families are built: src/models/train-rerank.ts).
import { ITEM_CF_WEIGHTS } from "../schemas/event-types";
import type { SegmentModel } from "../recommend/segments";
import { SegmentFavourites } from "../recommend/segment-favourites";
import { trendingByCategory } from "../recommend/trending";
import type { Neighbour } from "../recommend/types";
import { forEachCatalogPage, forEachHistoryPage } from "../storage/personal-repo";
import { PersonalFamiliesTrainer } from "./personal-families";
import { trainSiteSegments } from "./train-segments";
import { encodeFamilies, type EncodedArtifact } from "./shards";
import { feedRerankAsync, RerankFitTrainer, type RerankFit } from "./train-rerank";
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
  const before = await previous();
  // The re-ranker is refitted once a day (RERANK_REFIT_MS) and carried forward in between.
  const carried = before?.rerank && now - before.rerank.fittedAt < RERANK_REFIT_MS ? before.rerank : null;
  // Segments (src/models/train-segments.ts): a capped sample is clustered against the previous model's segments.
  const seg = await trainSiteSegments(d1, siteId, now, before?.segments ?? null, log);
  const { artifact, familyItems, catalogItems, historyRows, segmentPopular, categoriesOf } = await trainFamilies(d1, siteId, seg);
  // The re-ranker's fit reads the history again once the families' trainers are garbage: its head copies are nearly
  // the whole history again (src/models/train-rerank.ts).
  const t0 = Date.now();
  const replay =
    <T,>(page: (d1: D1Database, siteId: string, onPage: (rows: T[]) => void) => Promise<number>) =>
    (visit: (row: T) => void) =>
      page(d1, siteId, (rows) => rows.forEach((r) => visit(r)));
  const fitted =
    carried ?? (await feedRerankAsync(new RerankFitTrainer(now, trending), { catalog: replay(forEachCatalogPage), history: replay(forEachHistoryPage) })).fit();

  const metrics = {
    catalogItems,
    historyRows,
    ...Object.fromEntries(Object.entries(familyItems).map(([family, n]) => [`${family}Items`, n])),
    segments: seg.model?.k ?? 0,
    personalBytes: artifact.meta.totalBytes,
    rerankExamples: fitted?.examples ?? 0,
    ...(carried ? {} : { rerankMs: Date.now() - t0 }),
  };
  log("personalization built", { siteId, ...metrics });
  return { artifact, data: { segments: seg.model, segmentPopular, trendingByCategory: trendingByCategory(trending, (id) => categoriesOf.get(id)), rerank: fitted }, metrics };
}

/**
 * Every personal family from one pass over the catalog and the histories, encoded, with the segments' favourites.
 * Its own function so that the trainers are garbage when it returns, before the re-ranker's passes.
 */
async function trainFamilies(d1: D1Database, siteId: string, seg: Awaited<ReturnType<typeof trainSiteSegments>>) {
  const families = new PersonalFamiliesTrainer();
  const categoriesOf = new Map<string, string[]>();
  const catalogItems = await forEachCatalogPage(d1, siteId, (rows) => {
    for (const r of rows) {
      families.pushCatalog(r);
      categoriesOf.set(r.id, r.categories);
    }
  });
  // Segment favourites cap each visitor's weight per item like trending does, so one visitor cannot make them; the
  // evaluation computes them with the same accumulator.
  const favourites = new SegmentFavourites(seg.segmentOf, seg.model?.nextId ?? 0, ITEM_CF_WEIGHTS);
  const historyRows = await forEachHistoryPage(d1, siteId, (rows) => {
    for (const r of rows) {
      families.pushHistory(r);
      favourites.push(r.profileId, r.itemId, r.type);
    }
  });
  const built = families.build();
  return { artifact: encodeFamilies(built.model), familyItems: built.items, catalogItems, historyRows, segmentPopular: favourites.lists(), categoriesOf };
}
