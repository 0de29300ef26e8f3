// The recommend hot path for a session: score its path against the served artifact, drop unavailable and excluded
// items, back-fill (src/recommend/backfill.ts), attach reasons and display details. D1 is touched only on
// catalog-cache misses.
import { FALLBACK_TRENDING_CACHE_MAX_ENTRIES, SERVE_OVERFETCH } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import { backfillCandidates } from "../recommend/backfill";
import { excludeSeen } from "../recommend/exclude-seen";
import { explain, type BlendReason, type ReasonView } from "../recommend/explain";
import type { PersonalData } from "../models/train-personal";
import { DEFAULT_SCORE_OPTIONS, scoreSession } from "../recommend/score-session";
import type { Neighbour, ScoredItem } from "../recommend/types";
import { servable, type Manifest } from "../models/manifest";
import { trendingList } from "../models/trending-refresh";
import { readManifest, readPersonalData, readTrending } from "../storage/model-store";
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

/**
 * `personalized`: whether the visitor's own evidence (their session, history or segment) produced at least one
 * served item; a list of back-fill and item-on-screen neighbours only is not personal, whoever asked for it.
 */
export type Recommendations = { recommendationId: string; modelVersion: string | null; items: RecommendedItem[]; personalized: boolean };

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
  // The scorer only looks at the newest maxPath distinct items; fetch lists for a little more than that.
  const recent = path.slice(-DEFAULT_SCORE_OPTIONS.maxPath * 2);
  const [lookup, backfill] = await Promise.all([
    manifest && recent.length > 0 ? listsFor(env.MODELS, siteId, manifest, recent) : Promise.resolve(null),
    backfillLists(env, siteId, manifest),
  ]);
  // Excluded items (a long session's path) must not use up the spare candidates.
  const scored = lookup ? scoreSession(recent, lookup, { k: opts.k + SERVE_OVERFETCH + (opts.exclude?.size ?? 0) }) : [];
  return finish(env.DB, siteId, manifest?.current.version ?? null, scored, backfill, { ...opts, current: opts.current ?? path.at(-1) });
}

export type ServeOptions = {
  k: number;
  exclude?: ReadonlySet<string>;
  /** The site's `allowUncatalogued`: unless set, items absent from the catalog are dropped and never named. */
  allowUncatalogued?: boolean;
  /** The item on screen: its categories pick the category back-fill. Defaults to the path's last item. */
  current?: string;
  /** Whether the scored items come from the visitor's own evidence (a live session's path), for `personalized`. */
  personal?: boolean;
};

/** What short lists are back-filled from: global trending and, once a model exists, trending per category. */
export type BackfillLists = { trending: readonly Neighbour[]; byCategory?: Readonly<Record<string, readonly Neighbour[]>> };

/** The back-fill lists of the served version, or trending straight from D1 before a site's first model. */
export async function backfillLists(env: Env, siteId: string, manifest: Manifest | null): Promise<BackfillLists> {
  if (!manifest) return { trending: await trendingWithoutModel(env.DB, siteId) };
  const version = manifest.current.version;
  const [trending, data] = await Promise.all([readTrending(env.MODELS, siteId, version), readPersonalData<PersonalData>(env.MODELS, siteId, version)]);
  return { trending, byCategory: data?.trendingByCategory };
}

/** Filters, back-fills and decorates a scored list (shared with the similar-items route). */
export async function finish(
  d1: D1Database,
  siteId: string,
  modelVersion: string | null,
  scored: readonly ScoredItem[],
  lists: BackfillLists,
  opts: ServeOptions,
): Promise<Recommendations> {
  const exclude = opts.exclude ?? new Set<string>();
  const keep = (n: { itemId: string }) => !exclude.has(n.itemId);
  // The same removal-before-the-cut as the evaluation's new-items protocol (one implementation).
  const candidates = excludeSeen(scored, exclude, opts.k + SERVE_OVERFETCH);
  const trending = lists.trending.filter(keep);
  const reasonIds = candidates.flatMap((c) => ("itemId" in c.reason ? [c.reason.itemId] : []));
  const limit = opts.k + SERVE_OVERFETCH;
  const known = [...candidates.map((c) => c.itemId), ...trending.slice(0, limit).map((t) => t.itemId), ...reasonIds];
  const details = await itemDetails(d1, siteId, opts.current !== undefined ? [opts.current, ...known] : known);
  // The category back-fill is known only once the item on screen's categories are: its items missing from the
  // first lookup (most are in global trending already) take a second one.
  const categories = opts.current !== undefined ? (details.get(opts.current)?.categories ?? []) : [];
  const byCategory = lists.byCategory ? mapValues(lists.byCategory, (l) => l.filter(keep)) : undefined;
  const backfill = backfillCandidates(categories, byCategory, trending, limit);
  const missing = backfill.filter((t) => !details.has(t.itemId)).map((t) => t.itemId);
  if (missing.length > 0) for (const [id, d] of await itemDetails(d1, siteId, missing)) details.set(id, d);
  const allowUncatalogued = opts.allowUncatalogued ?? false;
  const available = (id: string) => {
    const d = details.get(id);
    return d ? d.available : allowUncatalogued;
  };
  const label = (id: string) => details.get(id)?.title ?? (allowUncatalogued ? id : undefined);

  const picked: { itemId: string; score: number; reason: BlendReason }[] = candidates.filter((c) => available(c.itemId)).slice(0, opts.k);
  const fromEvidence = picked.length > 0;
  // Back-filled items rank below every model-scored item (score 0).
  const have = new Set(picked.map((p) => p.itemId));
  for (const t of backfill) {
    if (picked.length >= opts.k) break;
    if (have.has(t.itemId) || !available(t.itemId)) continue;
    picked.push(t);
    have.add(t.itemId);
  }
  const items = picked.map((p): RecommendedItem => {
    const d = details.get(p.itemId);
    const item: RecommendedItem = { id: p.itemId, score: round(p.score), reason: explain(p.reason, label, p.itemId) };
    if (d?.title) item.title = d.title;
    if (d?.url) item.url = d.url;
    if (d?.image) item.image = d.image;
    return item;
  });
  return { recommendationId: crypto.randomUUID(), modelVersion, items, personalized: fromEvidence && opts.personal === true };
}

function mapValues<V, W>(o: Readonly<Record<string, V>>, f: (v: V) => W): Record<string, W> {
  return Object.fromEntries(Object.entries(o).map(([key, v]) => [key, f(v)]));
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
