// The recommend hot path for a session: score its path against the served artifact, drop unavailable and excluded
// items, back-fill from trending, attach reasons and display details. D1 is touched only on catalog-cache misses.
import { FALLBACK_TRENDING_CACHE_MAX_ENTRIES } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import { explain, type ReasonView } from "../recommend/explain";
import { DEFAULT_SCORE_OPTIONS, scoreSession } from "../recommend/score-session";
import type { Neighbour, ScoredItem } from "../recommend/types";
import { servable } from "../models/manifest";
import { trendingList } from "../models/trending-refresh";
import { readManifest, readTrending } from "../storage/model-store";
import { itemDetails } from "./catalog-cache";
import { listsFor } from "./model-lists";

export type RecommendedItem = {
  id: string;
  score: number;
  reason: ReasonView;
  title?: string;
  url?: string;
  image?: string;
};

export type Recommendations = { recommendationId: string; modelVersion: string | null; items: RecommendedItem[] };

/** Candidates scored beyond k, so that filtering unavailable or excluded items still leaves k. */
const OVERFETCH = 20;
/** Without any model yet, trending comes straight from D1 and is cached this long per isolate. */
const FALLBACK_TRENDING_MS = 60_000;
const fallbackTrending = new IsolateCache<string, Neighbour[]>({ maxEntries: FALLBACK_TRENDING_CACHE_MAX_ENTRIES });

export async function recommendForPath(
  env: Env,
  siteId: string,
  path: readonly string[],
  opts: ServeOptions,
): Promise<Recommendations> {
  const read = await readManifest(env.MODELS, siteId);
  const manifest = servable(read) ? read : null;
  let scored: ScoredItem[] = [];
  let trending: Neighbour[];
  if (manifest) {
    // The scorer only looks at the newest maxPath distinct items; fetch lists for a little more than that.
    const recent = path.slice(-DEFAULT_SCORE_OPTIONS.maxPath * 2);
    const [lookup, list] = await Promise.all([
      recent.length > 0 ? listsFor(env.MODELS, siteId, manifest, recent) : Promise.resolve(() => undefined),
      readTrending(env.MODELS, siteId, manifest.current.version),
    ]);
    scored = recent.length > 0 ? scoreSession(recent, lookup, { k: opts.k + OVERFETCH }) : [];
    trending = list;
  } else {
    trending = await trendingWithoutModel(env.DB, siteId);
  }
  return finish(env.DB, siteId, manifest?.current.version ?? null, scored, trending, opts);
}

export type ServeOptions = {
  k: number;
  exclude?: ReadonlySet<string>;
  /** The site's `allowUncatalogued`: unless set, items absent from the catalog are dropped and never named. */
  allowUncatalogued?: boolean;
};

/** Filters, back-fills and decorates a scored list (shared with the similar-items route). */
export async function finish(
  d1: D1Database,
  siteId: string,
  modelVersion: string | null,
  scored: readonly ScoredItem[],
  trending: readonly Neighbour[],
  opts: ServeOptions,
): Promise<Recommendations> {
  const exclude = opts.exclude ?? new Set<string>();
  const candidates = scored.filter((s) => !exclude.has(s.itemId)).slice(0, opts.k + OVERFETCH);
  const backfill = trending.filter((t) => !exclude.has(t.itemId)).slice(0, opts.k + OVERFETCH);
  const reasonIds = candidates.flatMap((c) => (c.reason.kind === "trending" ? [] : [c.reason.itemId]));
  const details = await itemDetails(d1, siteId, [...candidates.map((c) => c.itemId), ...backfill.map((t) => t.itemId), ...reasonIds]);
  const allowUncatalogued = opts.allowUncatalogued ?? false;
  const available = (id: string) => {
    const d = details.get(id);
    return d ? d.available : allowUncatalogued;
  };
  const label = (id: string) => details.get(id)?.title ?? (allowUncatalogued ? id : undefined);

  const picked: ScoredItem[] = candidates.filter((c) => available(c.itemId)).slice(0, opts.k);
  if (picked.length < opts.k) {
    const have = new Set(picked.map((p) => p.itemId));
    for (const t of backfill) {
      if (picked.length >= opts.k) break;
      if (have.has(t.itemId) || !available(t.itemId)) continue;
      // Back-filled items rank below every model-scored item; their score is the trending score scaled down.
      picked.push({ itemId: t.itemId, score: 0, reason: { kind: "trending" } });
      have.add(t.itemId);
    }
  }
  const items = picked.map((p): RecommendedItem => {
    const d = details.get(p.itemId);
    const item: RecommendedItem = { id: p.itemId, score: round(p.score), reason: explain(p.reason, label) };
    if (d?.title) item.title = d.title;
    if (d?.url) item.url = d.url;
    if (d?.image) item.image = d.image;
    return item;
  });
  return { recommendationId: crypto.randomUUID(), modelVersion, items };
}

function trendingWithoutModel(d1: D1Database, siteId: string): Promise<Neighbour[]> {
  return fallbackTrending.getOrLoad(
    siteId,
    async () => (await trendingList(d1, siteId, Date.now())).map((r) => ({ itemId: r.itemId, score: r.score })),
    FALLBACK_TRENDING_MS,
  );
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
