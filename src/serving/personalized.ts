// GET /v1/recommendations for a visitor: blends the live session, their history (item-CF), content similarity,
// their segment's favourites and trending, applies the business rules, and caches the list per visitor and slot.
import { listExclusions } from "../recommend/exclude-seen";
import type { Manifest } from "../models/manifest";
import type { PersonalData } from "../models/train-personal";
import { blend, DEFAULT_BLEND_WEIGHTS, type SourceCandidate } from "../recommend/blend";
import { backfillCandidates } from "../recommend/backfill";
import { explain, historyReason, reasonItem, type BlendReason } from "../recommend/explain";
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
    /** The session's path plus the item on screen (`itemId`) as its newest step. */
    path: readonly string[];
    /** The live session's own path (without a requested `itemId`): the visitor's evidence, for `personalized`. */
    sessionPath?: readonly string[];
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
  const [sessionLists, personalLists, trending, data, onScreen] = await Promise.all([
    recentPath.length ? listsFor(env.MODELS, siteId, manifest, recentPath) : Promise.resolve(() => undefined),
    personalListsFor(env.MODELS, siteId, manifest, [...new Set([...historyIds, ...contentSeeds])]),
    readTrending(env.MODELS, siteId, version),
    readPersonalData<PersonalData>(env.MODELS, siteId, version),
    // The item on screen's categories pick the category back-fill, whose items are looked up below.
    opts.current ? itemDetails(env.DB, siteId, [opts.current]) : Promise.resolve(null),
  ]);

  const sources: Partial<Record<BlendSource, SourceCandidate<BlendReason>[]>> = {};
  if (recentPath.length) sources.session = scoreSession(recentPath, sessionLists, { k: POOL });
  if (ctx.history.length) {
    const entries = ctx.history.map((h) => ({ itemId: h.itemId, ts: h.lastTs, type: h.type }));
    sources.itemCf = scoreHistory(entries, (id) => personalLists(id)?.itemCf, { now: opts.now, k: POOL }).map((c) => ({
      itemId: c.itemId,
      score: c.score,
      reason: historyReason(c.from, c.fromType),
    }));
  }
  const content = contentCandidates(contentSeeds, (id) => personalLists(id)?.content, { k: POOL });
  if (content.length) sources.content = content.map((c) => ({ itemId: c.itemId, score: c.score, reason: { kind: "similar", itemId: c.from } }));
  if (data?.segments && ctx.summary) {
    const seg = assignSegment(ctx.summary, data.segments, opts.now);
    sources.segment = (data.segmentPopular[seg] ?? []).slice(0, POOL).map((n) => ({ ...n, reason: { kind: "segment" } }));
  }
  sources.trending = trending.slice(0, POOL).map((n) => ({ ...n, reason: { kind: "trending" } }));
  const blended = blend(sources, { ...DEFAULT_BLEND_WEIGHTS, ...opts.weights }, { names: reasonItem, generic: { kind: "viewed" } });

  // What the visitor did: this session's path and their history. An item the session model or content produced
  // from one of these is personal evidence; from the item on screen alone (a product page, anyone) it is not.
  const own = new Set([...(opts.sessionPath ?? []), ...historyIds]);
  const personal = (b: (typeof blended)[number]): boolean => {
    if (b.source === "itemCf" || b.source === "segment") return true;
    const from = reasonItem(b.reason);
    return b.source !== "trending" && (from === undefined ? own.has(b.itemId) : own.has(from));
  };
  // Items only trending gave evidence for are back-fill: the shared back-fill orders them (the item on screen's
  // category first) and names which trending produced them. The trending weight still re-ranks evidence items.
  type Cand = { itemId: string; score: number; reason: BlendReason; personal: boolean };
  const evidence: Cand[] = blended.filter((b) => b.source !== "trending").map((b) => ({ itemId: b.itemId, score: b.score, reason: b.reason, personal: personal(b) }));
  const currentCats = opts.current ? (onScreen?.get(opts.current)?.categories ?? []) : [];
  const inEvidence = new Set(evidence.map((c) => c.itemId));
  const backfill: Cand[] = backfillCandidates(currentCats, data?.trendingByCategory, trending, POOL * 2)
    .filter((t) => !inEvidence.has(t.itemId))
    .map((t) => ({ ...t, personal: false }));
  const candidates = [...evidence, ...backfill];

  const details = await itemDetails(env.DB, siteId, [
    ...evidence.slice(0, POOL * 2).map((b) => b.itemId),
    ...backfill.map((b) => b.itemId),
    ...(opts.rules.pin ?? []),
    ...evidence.slice(0, POOL).flatMap((b) => {
      const from = reasonItem(b.reason);
      return from === undefined ? [] : [from];
    }),
  ]);
  const meta = (id: string): ItemMeta | undefined => details.get(id) ?? onScreen?.get(id) ?? undefined;
  const allowUncatalogued = opts.allowUncatalogued ?? false;
  const catalogued = (id: string) => allowUncatalogued || details.get(id) != null;
  const purchased = new Set(ctx.history.filter((h) => h.purchases > 0).map((h) => h.itemId));
  const viewed = new Set([...historyIds, ...opts.path]);
  const exclude = listExclusions({ path: opts.path, current: opts.current, includeViewed: opts.rules.includeViewed, exclude: opts.rules.exclude });
  // A pin no source scored is there because the site put it there: its reason says so, not "trending".
  const pinned = (itemId: string): Cand => ({ itemId, score: 0, reason: { kind: "pinned" }, personal: false });
  const rules = { ...opts.rules, exclude: [...exclude], pin: opts.rules.pin?.filter(catalogued) };
  const picked = applyRules(candidates.filter((c) => catalogued(c.itemId)), rules, { meta, purchased, viewed, k: opts.k }, pinned);
  const label = (id: string) => details.get(id)?.title ?? (allowUncatalogued ? id : undefined);
  const items = picked.map((p): RecommendedItem => {
    const d = details.get(p.itemId);
    const item: RecommendedItem = { id: p.itemId, score: Math.round(p.score * 1e4) / 1e4, reason: explain(p.reason, label, p.itemId) };
    if (d?.title) item.title = d.title;
    if (d?.url) item.url = d.url;
    if (d?.image) item.image = d.image;
    return item;
  });
  return { recommendationId: crypto.randomUUID(), modelVersion: version, items, personalized: picked.some((p) => p.personal) };
}
