// The evaluation's side of the one recommendation pipeline (src/recommend/pipeline.ts): the sources' ArtifactView
// over in-memory shards, decoded by the Worker's codec, and a catalog lookup over a Map. Pure (no Node imports), so
// a workers test can run it on a version the Worker wrote and compare lists with the route's.
import { lookupFromShards } from "../../src/models/shards";
import type { CatalogLookup, ItemDetails } from "../../src/recommend/pipeline";
import type { ArtifactView } from "../../src/recommend/sources/types";
import type { RerankModel } from "../../src/recommend/rerank";
import type { Neighbour } from "../../src/recommend/types";

export type MemoryArtifact = {
  sessionShards: readonly Uint8Array[];
  personalShards: readonly Uint8Array[];
  trending: readonly Neighbour[];
  trendingByCategory?: Readonly<Record<string, readonly Neighbour[]>>;
  segmentPopular?: readonly (readonly Neighbour[])[];
  rerank?: RerankModel | null;
};

const none = () => undefined;

export function memoryView(a: MemoryArtifact): ArtifactView {
  return {
    session: a.sessionShards.length > 0 ? lookupFromShards(a.sessionShards) : none,
    personal: a.personalShards.length > 0 ? lookupFromShards(a.personalShards) : none,
    trending: a.trending,
    trendingByCategory: a.trendingByCategory,
    segmentPopular: a.segmentPopular,
    rerank: a.rerank,
  };
}

/** The catalog as the second stage reads it; without a catalog (yoochoose) every lookup is "not in the catalog". */
export function memoryCatalog(items: ReadonlyMap<string, ItemDetails> = new Map()): CatalogLookup {
  return (id) => items.get(id) ?? null;
}
