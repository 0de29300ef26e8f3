// The Worker's side of the one recommendation pipeline (src/recommend/pipeline.ts): loads what each stage reads —
// the visitor's history and summary (D1), the seeds' per-item lists (KV shards, isolate-cached), trending and the
// version's personal data, then the candidates' catalog details — and runs the stages. Every read route calls it.
import { FALLBACK_TRENDING_CACHE_MAX_ENTRIES, HISTORY_CANDIDATES_MAX_ENTRIES, VISITOR_CONTEXT_MAX_ENTRIES, VISITOR_CONTEXT_MS, VISITOR_CONTEXT_STALE_MS, VISITOR_HISTORY_ITEMS } from "../config/limits";
import { waitUntil } from "cloudflare:workers";
import { IsolateCache } from "../lib/isolate-cache";
import { servedManifest } from "../models/canary";
import { servable, type Manifest } from "../models/manifest";
import type { PersonalData } from "../models/train-personal";
import { trendingList } from "../models/trending-refresh";
import { detailIds, finishList, listSeeds, rankCandidates, type ListItem, type PipelineRequest, type SourceMemo } from "../recommend/pipeline";
import { encodeExposure, NO_VARIANT } from "../recommend/exposure";
import { assignSegment, type SegmentModel } from "../recommend/segments";
import type { ArtifactView, HistoryEntry, SourceContext } from "../recommend/sources/types";
import type { Neighbour } from "../recommend/types";
import { readPersonalData, readTrending } from "../storage/model-store";
import { visitorReads, type ProfileSummary } from "../storage/personal-repo";
import { itemDetails } from "./catalog-cache";
import { memoisedList, memoiseList, memoKey } from "./list-memo";
import { listsFor, personalListsFor } from "./model-lists";

export type RecommendedItem = ListItem;

/**
 * `personalized`: whether the visitor's own evidence (their session, history or segment) produced at least one
 * served item; a list of back-fill and item-on-screen neighbours only is not personal, whoever asked for it.
 */
export type Recommendations = { recommendationId: string; modelVersion: string | null; items: RecommendedItem[]; personalized: boolean };

export type Visitor = { anonymousId?: string; userId?: string };

/** A pipeline request whose visitor context the Worker loads itself. */
export type ServeRequest = Omit<PipelineRequest, "ctx"> & {
  /** The live session's path plus the item on screen as its newest step, oldest first. */
  path: readonly string[];
  current?: string;
  /** The slot the list is served in: /v1/recommendations' `slot`, "next" for /v1/sessions/:id/next, "similar". */
  slot: string;
  /** The experiment variant that shaped the list (src/serving/experiment-shape.ts): NO_VARIANT when absent. */
  variant?: string;
  /** Whose history and segment count; null for an anonymous newcomer, a declined visitor, or an item's list. */
  visitor: Visitor | null;
  /** That visitor's context when the route already read it (readVisitorContext): not read again. */
  visitorContext?: VisitorContext;
  now: number;
};

/** Without any model yet, trending comes straight from D1 and is cached this long per isolate. */
const FALLBACK_TRENDING_MS = 60_000;
const fallbackTrending = new IsolateCache<string, Neighbour[]>({ maxEntries: FALLBACK_TRENDING_CACHE_MAX_ENTRIES });

const NO_VISITOR = { history: [] as HistoryEntry[], summary: null };

/** What the pipeline reads about the visitor: recent history (newest first) and the behaviour summary, if needed. */
export type VisitorContext = { history: HistoryEntry[]; summary: ProfileSummary | null };

/**
 * The visitor's recent history (newest first) and, when the model has segments to assign, behaviour summary: one
 * D1 round trip, identity lookup included (storage/personal-repo.ts visitorReads).
 */
function visitorContext(d1: D1Database, siteId: string, v: Visitor, withSummary: boolean): Promise<VisitorContext> {
  // Reused for VISITOR_CONTEXT_MS: a page's slots (one request each) read the visitor once.
  return visitorContexts.getOrLoad(
    contextKey(siteId, v, withSummary),
    async () => {
      const read = await visitorReads(d1, siteId, v, VISITOR_HISTORY_ITEMS, withSummary);
      if (!read.profileId) return NO_VISITOR;
      return { history: read.history.map((r) => ({ itemId: r.itemId, ts: r.lastTs, type: r.type, purchases: r.purchases })), summary: read.summary };
    },
    VISITOR_CONTEXT_MS,
    VISITOR_CONTEXT_STALE_MS,
  );
}

const visitorContexts = new IsolateCache<string, VisitorContext>({ maxEntries: VISITOR_CONTEXT_MAX_ENTRIES, background: waitUntil });

/** Whether this isolate holds the visitor's context: a list for them then costs no D1 read to compute. */
export function visitorContextCached(siteId: string, v: Visitor): boolean {
  return [false, true].some((withSummary) => visitorContexts.has(contextKey(siteId, v, withSummary), VISITOR_CONTEXT_STALE_MS));
}

function contextKey(siteId: string, v: Visitor, withSummary: boolean): string {
  return JSON.stringify([siteId, v.userId ?? null, v.anonymousId ?? null, withSummary]);
}

/**
 * The history sources' candidates (src/recommend/pipeline.ts SourceMemo) per visitor and model version, valid for
 * one history snapshot: a context read anew from D1 is a new array, so the memo starts over with it, and it lives
 * no longer than the context it was computed from.
 */
const historyMemos = new IsolateCache<string, { history: readonly HistoryEntry[]; memo: SourceMemo }>({ maxEntries: HISTORY_CANDIDATES_MAX_ENTRIES });

function historyMemo(siteId: string, version: string, v: Visitor, history: readonly HistoryEntry[]): SourceMemo | undefined {
  if (history.length === 0) return undefined;
  const key = JSON.stringify([siteId, version, v.userId ?? null, v.anonymousId ?? null]);
  const held = historyMemos.get(key);
  if (held?.history === history) return held.memo;
  const memo: SourceMemo = new Map();
  historyMemos.set(key, { history, memo }, VISITOR_CONTEXT_MS + VISITOR_CONTEXT_STALE_MS);
  return memo;
}

/**
 * Erasure: this isolate forgets every visitor's context and what was computed from it (other isolates' copies
 * expire within VISITOR_CONTEXT_MS + VISITOR_CONTEXT_STALE_MS).
 */
export function dropVisitorContexts(): void {
  visitorContexts.clear();
  historyMemos.clear();
}

/**
 * The visitor's context read ahead of the pipeline, for a route that needs the visitor's segment before it shapes
 * the list (segment targeting); handed back through ServeRequest.visitorContext, so it is read once. With it come
 * the version's segments.
 */
export async function readVisitorContext(env: Env, siteId: string, manifest: Manifest, v: Visitor): Promise<VisitorContext & { segments: SegmentModel | null }> {
  const data = await readPersonalData<PersonalData>(env.MODELS, siteId, manifest.current.version);
  const segments = data?.segments ?? null;
  return { ...(await visitorContext(env.DB, siteId, v, segments !== null)), segments };
}

function trendingWithoutModel(d1: D1Database, siteId: string): Promise<Neighbour[]> {
  return fallbackTrending.getOrLoad(
    siteId,
    async () => (await trendingList(d1, siteId, Date.now())).map((r) => ({ itemId: r.itemId, score: r.score })),
    FALLBACK_TRENDING_MS,
  );
}

const none = () => undefined;

/**
 * The model a visitor is served: the manifest as read (null when this code cannot serve it), with a pending canary
 * as `current` for a visitor key in its share (src/models/canary.ts). The canary pointer lives in the manifest every
 * read route already loads, so this costs no read; the list's exposure token then carries the canary's version.
 */
export function modelFor(read: Manifest | null, visitorKey: string | null | undefined): Manifest | null {
  return servable(read) ? servedManifest(read, visitorKey) : null;
}

/**
 * The id of a served list: an exposure token (src/recommend/exposure.ts) that carries its slot, variant, model
 * version and served-at time, so attribution decodes it instead of looking anything up. Made here only.
 */
export function servedListId(slot: string, modelVersion: string | null, now: number, variant: string = NO_VARIANT): string {
  return encodeExposure({ slot, variant, modelVersion, servedAt: Math.floor(now / 1000) });
}

/**
 * One list through the pipeline. `manifest` null (no servable model yet): the sources have no lists, and trending
 * comes straight from D1, so a new site still gets a list.
 */
export async function recommend(env: Env, siteId: string, manifest: Manifest | null, r: ServeRequest): Promise<Recommendations> {
  // The visitor's D1 read runs beside the version's KV reads; it waits only for the personal data (isolate-cached
  // after the first request), which says whether a summary is needed at all. History feeds the sources' seeds, so
  // the per-item lists are read once it is in. Only the recently-viewed kind needs the visitor without a model.
  const needsVisitor = r.visitor !== null && (manifest !== null || r.kind === "recently_viewed");
  const version = manifest?.current.version;
  // A list without a visitor is a function of the request's inputs: an isolate-memoised one costs no read at all.
  const memo = r.visitor === null ? memoKey(siteId, version ?? null, r) : null;
  const reused = memo !== null ? memoisedList(memo) : undefined;
  if (reused) return { recommendationId: servedListId(r.slot, version ?? null, r.now, r.variant), modelVersion: version ?? null, ...reused };
  const personalData = version !== undefined ? readPersonalData<PersonalData>(env.MODELS, siteId, version) : Promise.resolve(null);
  const [visitor, trending, data, onScreen] = await Promise.all([
    !needsVisitor
      ? Promise.resolve(NO_VISITOR)
      : (r.visitorContext ?? personalData.then((d) => visitorContext(env.DB, siteId, r.visitor!, Boolean(d?.segments)))),
    version !== undefined ? readTrending(env.MODELS, siteId, version) : trendingWithoutModel(env.DB, siteId),
    personalData,
    // The item on screen's categories pick the category back-fill.
    r.current !== undefined ? itemDetails(env.DB, siteId, [r.current]) : Promise.resolve(null),
  ]);
  const ctx: SourceContext = { path: r.path, current: r.current, history: visitor.history, segment: null, now: r.now };
  const req: PipelineRequest = {
    ctx,
    sessionPath: r.sessionPath,
    rules: r.rules,
    k: r.k,
    weights: r.weights,
    sources: r.sources,
    kind: r.kind,
    allowUncatalogued: r.allowUncatalogued,
    memo: r.visitor !== null && version !== undefined ? historyMemo(siteId, version, r.visitor, visitor.history) : undefined,
  };
  const seeds = listSeeds(req);
  const [session, personal] = await Promise.all([
    manifest && seeds.session.length > 0 ? listsFor(env.MODELS, siteId, manifest, seeds.session) : Promise.resolve(none),
    manifest && seeds.personal.length > 0 ? personalListsFor(env.MODELS, siteId, manifest, seeds.personal) : Promise.resolve(none),
  ]);
  if (data?.segments && visitor.summary) ctx.segment = assignSegment(visitor.summary, data.segments, r.now);
  const view: ArtifactView = { session, personal, trending, trendingByCategory: data?.trendingByCategory, segmentPopular: data?.segmentPopular, rerank: data?.rerank?.model };
  const ranked = rankCandidates(req, view, r.current !== undefined ? (onScreen?.get(r.current)?.categories ?? []) : []);
  const details = await itemDetails(env.DB, siteId, detailIds(ranked, req));
  const list = finishList(ranked, req, (id) => details.get(id) ?? onScreen?.get(id));
  if (memo !== null) memoiseList(memo, { items: list.items, personalized: list.personalized });
  return { recommendationId: servedListId(r.slot, version ?? null, r.now, r.variant), modelVersion: version ?? null, items: list.items, personalized: list.personalized };
}
