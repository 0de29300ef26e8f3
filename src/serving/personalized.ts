// GET /v1/recommendations for a visitor: blends the live session, their history (item-CF), content similarity,
// their segment's favourites and trending, applies the business rules, and caches the list per visitor and slot.
import type { Manifest } from "../models/manifest";
import type { PersonalData } from "../models/train-personal";
import { blend, DEFAULT_BLEND_WEIGHTS, type SourceCandidate } from "../recommend/blend";
import { explain, historyReason, type BlendReason } from "../recommend/explain";
import { applyRules, type ItemMeta } from "../recommend/filters";
import { scoreHistory } from "../recommend/item-cf";
import { contentCandidates, DEFAULT_CONTENT_SEEDS } from "../recommend/sources";
import { DEFAULT_SCORE_OPTIONS, scoreSession } from "../recommend/score-session";
import { assignSegment } from "../recommend/segments";
import type { BlendSource, Rules, SiteConfig } from "../schemas/site-config";
import { database } from "../storage/db";
import { readPersonalData, readTrending } from "../storage/model-store";
import { profileSummaries, recentHistory, type ProfileSummary } from "../storage/personal-repo";
import { profileIdFor } from "../storage/profiles-repo";
import { itemDetails } from "./catalog-cache";
import { listsFor, personalListsFor } from "./model-lists";
import type { Recommendations, RecommendedItem } from "./next-items";

const POOL = 60;
const HISTORY = 30;

export type Visitor = { anonymousId?: string; userId?: string };
type History = Awaited<ReturnType<typeof recentHistory>>;

/** The visitor's profile, recent history and behaviour summary (D1; the caller caches the finished list). */
async function visitorContext(d1: D1Database, siteId: string, v: Visitor): Promise<{ history: History; summary: ProfileSummary | null }> {
  const db = database(d1);
  const profileId =
    (v.userId !== undefined ? await profileIdFor(db, siteId, "user", v.userId) : undefined) ??
    (v.anonymousId !== undefined ? await profileIdFor(db, siteId, "anon", v.anonymousId) : undefined);
  if (!profileId) return { history: [], summary: null };
  const [history, summaries] = await Promise.all([recentHistory(d1, siteId, profileId, HISTORY), profileSummaries(d1, siteId, [profileId])]);
  return { history, summary: summaries[0] ?? null };
}

export async function personalizedList(
  env: Env,
  siteId: string,
  manifest: Manifest,
  opts: {
    path: readonly string[];
    visitor: Visitor | null;
    current?: string;
    rules: Rules;
    k: number;
    weights?: SiteConfig["weights"];
    /** The site's `allowUncatalogued`: unless set, items absent from the catalog are dropped and never named. */
    allowUncatalogued?: boolean;
    now: number;
  },
): Promise<Recommendations> {
  const version = manifest.current.version;
  const recentPath = opts.path.slice(-DEFAULT_SCORE_OPTIONS.maxPath * 2);
  const ctx = opts.visitor ? await visitorContext(env.DB, siteId, opts.visitor) : { history: [] as History, summary: null };
  const historyIds = ctx.history.map((h) => h.itemId);
  const contentSeeds = [...(opts.current ? [opts.current] : []), ...historyIds.slice(0, DEFAULT_CONTENT_SEEDS)];
  const [sessionLists, personalLists, trending, data] = await Promise.all([
    recentPath.length ? listsFor(env.MODELS, siteId, manifest, recentPath) : Promise.resolve(() => undefined),
    personalListsFor(env.MODELS, siteId, manifest, [...new Set([...historyIds, ...contentSeeds])]),
    readTrending(env.MODELS, siteId, version),
    readPersonalData<PersonalData>(env.MODELS, siteId, version),
  ]);

  const sources: Partial<Record<BlendSource, SourceCandidate<BlendReason>[]>> = {};
  if (recentPath.length) sources.session = scoreSession(recentPath, sessionLists, { k: POOL });
  if (ctx.history.length) {
    const entries = ctx.history.map((h) => ({ itemId: h.itemId, ts: h.lastTs, type: h.type }));
    sources.itemCf = scoreHistory(entries, (id) => personalLists(id)?.after, { now: opts.now, k: POOL }).map((c) => ({
      itemId: c.itemId,
      score: c.score,
      reason: historyReason(c.from, c.fromType),
    }));
  }
  const content = contentCandidates(contentSeeds, (id) => personalLists(id)?.with, { k: POOL });
  if (content.length) sources.content = content.map((c) => ({ itemId: c.itemId, score: c.score, reason: { kind: "similar", itemId: c.from } }));
  if (data?.segments && ctx.summary) {
    const seg = assignSegment(ctx.summary, data.segments, opts.now);
    sources.segment = (data.segmentPopular[seg] ?? []).slice(0, POOL).map((n) => ({ ...n, reason: { kind: "segment" } }));
  }
  sources.trending = trending.slice(0, POOL).map((n) => ({ ...n, reason: { kind: "trending" } }));
  const blended = blend(sources, { ...DEFAULT_BLEND_WEIGHTS, ...opts.weights });

  // Items in the current item's category that are trending back-fill short lists before global trending.
  const details = await itemDetails(env.DB, siteId, [
    ...blended.slice(0, POOL * 2).map((b) => b.itemId),
    ...trending.slice(0, POOL).map((t) => t.itemId),
    ...(opts.rules.pin ?? []),
    ...(opts.current ? [opts.current] : []),
    ...blended.slice(0, POOL).flatMap((b) => ("itemId" in b.reason ? [b.reason.itemId] : [])),
  ]);
  const currentCats = opts.current ? (details.get(opts.current)?.categories ?? []) : [];
  const inCategory = currentCats.flatMap((c) => (data?.trendingByCategory[c] ?? []).map((n) => ({ ...n, category: c })));
  type Cand = { itemId: string; score: number; reason: BlendReason };
  const candidates: Cand[] = blended.map((b) => ({ itemId: b.itemId, score: b.score, reason: b.reason }));
  const seen = new Set(candidates.map((c) => c.itemId));
  for (const t of inCategory) if (!seen.has(t.itemId) && seen.add(t.itemId)) candidates.push({ itemId: t.itemId, score: 0, reason: { kind: "trending_in_category", category: t.category } });
  for (const t of trending) if (!seen.has(t.itemId) && seen.add(t.itemId)) candidates.push({ itemId: t.itemId, score: 0, reason: { kind: "trending" } });

  const meta = (id: string): ItemMeta | undefined => details.get(id) ?? undefined;
  const allowUncatalogued = opts.allowUncatalogued ?? false;
  const catalogued = (id: string) => allowUncatalogued || details.get(id) != null;
  const purchased = new Set(ctx.history.filter((h) => h.purchases > 0).map((h) => h.itemId));
  const viewed = new Set([...historyIds, ...opts.path]);
  const exclude = new Set([...(opts.rules.exclude ?? []), ...(opts.current ? [opts.current] : [])]);
  const pinned = (itemId: string): Cand => ({ itemId, score: 0, reason: { kind: "trending" } });
  const rules = { ...opts.rules, exclude: [...exclude], pin: opts.rules.pin?.filter(catalogued) };
  const picked = applyRules(candidates.filter((c) => catalogued(c.itemId)), rules, { meta, purchased, viewed, k: opts.k }, pinned);
  const label = (id: string) => details.get(id)?.title ?? (allowUncatalogued ? id : undefined);
  const items = picked.map((p): RecommendedItem => {
    const d = details.get(p.itemId);
    const item: RecommendedItem = { id: p.itemId, score: Math.round(p.score * 1e4) / 1e4, reason: explain(p.reason, label) };
    if (d?.title) item.title = d.title;
    if (d?.url) item.url = d.url;
    if (d?.image) item.image = d.image;
    return item;
  });
  return { recommendationId: crypto.randomUUID(), modelVersion: version, items };
}
