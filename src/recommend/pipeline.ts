// The one recommendation pipeline, as pure stages shared by every read route (src/serving/recommend.ts loads what
// they need from KV and D1) and the evaluation CLI (in-memory lookups over the same decoded artifact):
//   context → candidate sources (./sources/) → blend (the sequence leading without a live path) → re-rank →
//   back-fill → business rules and diversity → explanation.
// Stage 1 (`rankCandidates`) needs the per-item lists of `listSeeds`; stage 2 (`finishList`) needs the catalog
// details of `detailIds`. Each stage is deterministic in its inputs, so the route and the evaluation agree exactly.
import { SEQUENCE_LEAD_SHARE, SERVE_OVERFETCH } from "../config/limits";
import type { Rules } from "../schemas/site-config";
import { backfillCandidates } from "./backfill";
import { blend, DEFAULT_BLEND_WEIGHTS, type Normalisation, type SourceCandidate } from "./blend";
import { listExclusions } from "./exclude-seen";
import { explain, reasonItem, type BlendReason, type ReasonView } from "./explain";
import { applyRules, type ItemMeta } from "./filters";
import { rerankFeatures, rerankOrder, usableModel } from "./rerank";
import { SOURCES, type SourceName } from "./sources";
import type { ArtifactName, ArtifactView, CandidateSource, SourceContext } from "./sources/types";

/** Candidates each source contributes to the blend (before exclusions and rules). */
export const SOURCE_POOL = 60;
const NONE: ReadonlySet<string> = new Set();
/** How many more candidates than asked a history source computes for the memo (SourceMemo). */
const MEMO_POOL_HEADROOM = SOURCE_POOL / 2;

/**
 * What a list is: `recommendations` (the blend, back-filled to k) or `recently_viewed` (the visitor's own items,
 * newest first: a different, explicit slot kind, the only one that shows what the session already saw).
 */
export const LIST_KINDS = ["recommendations", "recently_viewed"] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export type PipelineRequest = {
  ctx: SourceContext;
  /**
   * The visitor's own live session path (without an item merely on screen): with the history it is the evidence
   * that makes a list `personalized`. Empty for /similar, whose list is about the item, never the visitor.
   */
  sessionPath: readonly string[];
  rules: Rules;
  k: number;
  /** A site's weights over the sources' defaults. */
  weights?: Partial<Record<SourceName, number>>;
  /** Which sources run (all by default). */
  sources?: readonly SourceName[];
  kind?: ListKind;
  /** The site's `allowUncatalogued`: unless set, items absent from the catalog are dropped and never named. */
  allowUncatalogued: boolean;
  /**
   * Candidates of the history sources (those with a `historyKey`) computed for this same history snapshot and
   * artifact before: read and filled here. The Worker keeps one per visitor and version (src/serving/recommend.ts);
   * without one (the evaluation) every source runs, with the same result.
   */
  memo?: SourceMemo;
};

/** Per history source and key: the largest pool computed so far and its list (a smaller pool's list starts it). */
export type SourceMemo = Map<string, { pool: number; list: readonly SourceCandidate<BlendReason>[] }>;

/** A ranked candidate: its blended score, the reason shown, whether it is the visitor's evidence, who produced it. */
export type Candidate = { itemId: string; score: number; reason: BlendReason; personal: boolean; source: SourceName | "backfill" | "pinned" | "recent" };

/** Catalog facts the second stage reads; null or undefined = not in the catalog. */
export type ItemDetails = ItemMeta & { title?: string | null; url?: string | null; image?: string | null };
export type CatalogLookup = (itemId: string) => ItemDetails | null | undefined;

export type ListItem = { id: string; score: number; reason: ReasonView; title?: string; url?: string; image?: string };
export type FinishedList = { items: ListItem[]; personalized: boolean; candidates: Candidate[] };
/**
 * Stage 1's output: candidates best first, none of them an item the list leaves out, and that exclusion set (stage 2
 * still needs it, for pins), computed once per request.
 */
export type Ranked = { candidates: Candidate[]; excluded: ReadonlySet<string> };

function activeSources(req: PipelineRequest) {
  const only = req.sources ? new Set(req.sources) : null;
  return SOURCES.filter((s) => !only || only.has(s.name));
}

/** The items whose per-item lists stage 1 reads, per artifact (the Worker loads exactly these shards). */
export function listSeeds(req: PipelineRequest): Record<ArtifactName, string[]> {
  const out: Record<ArtifactName, Set<string>> = { session: new Set(), personal: new Set() };
  if (req.kind === "recently_viewed") return { session: [], personal: [] };
  for (const s of activeSources(req)) {
    const artifacts = new Set(s.families.map((f) => f.artifact));
    if (artifacts.size === 0) continue;
    for (const id of s.seeds(req.ctx)) for (const a of artifacts) out[a].add(id);
  }
  return { session: [...out.session], personal: [...out.personal] };
}

/** The visitor's own items, newest first: this session's path, then their history (the recently-viewed kind). */
function recentlyViewed(req: PipelineRequest): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  const push = (itemId: string) => {
    if (seen.has(itemId)) return;
    seen.add(itemId);
    out.push({ itemId, score: 0, reason: { kind: "viewed" }, personal: true, source: "recent" });
  };
  for (let i = req.sessionPath.length - 1; i >= 0; i--) push(req.sessionPath[i]!);
  for (const h of req.ctx.history) push(h.itemId);
  return out;
}

/**
 * Stage 1: every active source's candidates, blended (weights × normalised scores; a reason never names its own
 * item), then the back-fill (trending in the item on screen's categories, then global trending) behind every item
 * with real evidence. `currentCategories`: the item on screen's catalog categories (empty when unknown).
 */
export function rankCandidates(req: PipelineRequest, view: ArtifactView, currentCategories: readonly string[] = []): Ranked {
  const ex = exclusions(req);
  if (req.kind === "recently_viewed") return { candidates: recentlyViewed(req).filter((c) => !ex.has(c.itemId)), excluded: ex };
  const own = new Set([...req.sessionPath, ...req.ctx.history.map((h) => h.itemId)]);
  // What the list leaves out mostly never enters the blend: without a live path a source's best scores are often
  // the visitor's history, and normalising by an item that is then dropped would squash what the source really
  // offers (protocol 2 lost a tenth of its hits that way). The live path's own items are the exception: they are
  // blended and dropped after, so each source is normalised as on the standard protocol that tuned the weights
  // (nothing left out): dropping them first divides the session source by its best *new* candidate, weighing it
  // above the graph for new items (docs/model.md, issue 9 part 11).
  const late = req.ctx.path.length > 0 ? new Set([...ex].filter((id) => req.ctx.path.includes(id))) : NONE;
  const early = late.size > 0 ? new Set([...ex].filter((id) => !late.has(id))) : ex;
  const sources = activeSources(req);
  const lists: Partial<Record<SourceName, ReturnType<(typeof sources)[number]["candidates"]>>> = {};
  const normalise: Partial<Record<SourceName, Normalisation>> = {};
  for (const s of sources) {
    const c = firstKept(sourceCandidates(s, req, view, SOURCE_POOL + ex.size), early, SOURCE_POOL + late.size);
    if (c.length > 0) lists[s.name] = c;
    normalise[s.name] = s.normalise;
  }
  const weights = { ...DEFAULT_BLEND_WEIGHTS, ...req.weights };
  const blended = blend(lists, weights, { normalise, names: reasonItem, generic: { kind: "viewed" } });
  const byName = new Map(sources.map((s) => [s.name, s]));
  const evidence: Candidate[] = [];
  const inEvidence = new Set<string>();
  for (const b of blended) {
    if (late.has(b.itemId)) continue;
    const s = byName.get(b.source)!;
    // Items only a non-evidence source (trending) produced are back-fill, ordered by the shared back-fill below.
    if (!s.evidence) continue;
    evidence.push({ itemId: b.itemId, score: b.score, reason: b.reason, personal: s.personal(b, own), source: b.source });
    inEvidence.add(b.itemId);
  }
  const lead = req.ctx.path.length === 0 && weights.sequence > 0 ? lists.sequence : undefined;
  if (lead) sequenceLeads(evidence, lead);
  rerankEvidence(evidence, req.ctx, view);
  // Only as much back-fill as stage 2 may look at: evidence may all be dropped (unavailable), so the window's worth.
  const backfill = backfillCandidates(currentCategories, view.trendingByCategory, view.trending, window(req, ex.size) + inEvidence.size)
    .filter((t) => !inEvidence.has(t.itemId) && !ex.has(t.itemId))
    .map((t): Candidate => ({ ...t, personal: false, source: "backfill" }));
  return { candidates: [...evidence, ...backfill], excluded: ex };
}

/** The first `limit` candidates not in `left`, in order. */
function firstKept<C extends { itemId: string }>(list: readonly C[], left: ReadonlySet<string>, limit: number): C[] {
  const out: C[] = [];
  for (let i = 0; i < list.length && out.length < limit; i++) if (!left.has(list[i]!.itemId)) out.push(list[i]!);
  return out;
}

/** A source's candidates for the request, from the request's memo when a history source already computed them. */
function sourceCandidates(s: CandidateSource, req: PipelineRequest, view: ArtifactView, pool: number): readonly SourceCandidate<BlendReason>[] {
  if (req.memo === undefined || s.historyKey === undefined) return s.candidates(req.ctx, view, pool);
  const key = `${s.name}\u0000${s.historyKey(req.ctx)}`;
  const held = req.memo.get(key);
  // A longer list than the pool asks for is as good: rankCandidates cuts each list itself, after leaving out the
  // exclusions, and a larger pool's list starts with the smaller one's.
  if (held !== undefined && pool <= held.pool) return held.list;
  // Headroom for the exclusions that grow with each click (the path's items), so the next list reuses this one.
  const wide = pool + MEMO_POOL_HEADROOM;
  const list = s.candidates(req.ctx, view, wide);
  req.memo.set(key, { pool: wide, list });
  return list;
}

/**
 * Without a live path the visitor's history is all the evidence and the sequence source reads it best by far: its
 * candidates scoring at least SEQUENCE_LEAD_SHARE of its best keep the sequence's order at the front, in place, and
 * the other sources re-rank and fill only behind them, so they never demote its strong candidates.
 */
function sequenceLeads(evidence: Candidate[], lead: readonly { itemId: string; score: number }[]): void {
  const min = lead[0]!.score * SEQUENCE_LEAD_SHARE;
  const byId = new Map(evidence.map((c) => [c.itemId, c]));
  const first = lead.filter((c) => c.score >= min && byId.has(c.itemId)).map((c) => byId.get(c.itemId)!);
  const strong = new Set(first);
  reorderKeepingScores(evidence, [...first, ...evidence.filter((c) => !strong.has(c))]);
}

/**
 * Writes `order` (a reordering of evidence's first order.length candidates) over them, in place; each slot keeps
 * its score (the first place's score goes to the new first item), so the list stays sorted for the rules' boosts.
 */
function reorderKeepingScores(evidence: Candidate[], order: readonly Candidate[]): void {
  const scores = order.map((_, i) => evidence[i]!.score);
  order.forEach((c, i) => (evidence[i] = { ...c, score: scores[i]! }));
}

/**
 * The learned re-ranking stage (src/recommend/rerank.ts), in place: with a live path and a usable model in the
 * version, the top `pool` evidence candidates are put in the model's order, each keeping its reason
 * (reorderKeepingScores).
 */
function rerankEvidence(evidence: Candidate[], ctx: SourceContext, view: ArtifactView): void {
  const model = usableModel(view.rerank);
  if (!model || ctx.path.length === 0 || evidence.length < 2) return;
  const top = evidence.slice(0, model.pool);
  const order = rerankOrder(rerankFeatures(ctx.path, top.map((c) => c.itemId), view), model);
  reorderKeepingScores(evidence, order.map((from) => top[from]!));
}

/**
 * What stage 2 leaves out before the rules: the request's `exclude`, what the session already saw, and with
 * `excludeViewed` the visitor's history too (here rather than in the rules, so a long history cannot use up the
 * candidates stage 2 looks at).
 */
function exclusions(req: PipelineRequest): Set<string> {
  const includeViewed = req.kind === "recently_viewed" ? true : req.rules.includeViewed;
  const out = listExclusions({ path: req.ctx.path, current: req.ctx.current, includeViewed, exclude: req.rules.exclude });
  if (req.rules.excludeViewed === true) for (const h of req.ctx.history) out.add(h.itemId);
  return out;
}

/** Whether the rules read categories or tags, so every candidate's details are needed rather than the first few. */
function rulesNeedMeta(r: Rules): boolean {
  return r.includeCategories !== undefined || r.excludeCategories !== undefined || r.maxPerCategory !== undefined || (r.diversity !== undefined && r.diversity < 1);
}

/** How many of the ranked candidates stage 2 may look at: enough to survive exclusions and unavailable items. */
function window(req: PipelineRequest, excluded: number): number {
  return rulesNeedMeta(req.rules) ? SOURCE_POOL * 4 : req.k + SERVE_OVERFETCH + excluded + (req.rules.pin?.length ?? 0);
}

/** The items whose catalog details stage 2 reads: the candidates it may serve, the items their reasons name, pins. */
export function detailIds(ranked: Ranked, req: PipelineRequest): string[] {
  const ids = new Set<string>();
  for (const c of ranked.candidates.slice(0, window(req, 0))) {
    ids.add(c.itemId);
    const from = reasonItem(c.reason);
    if (from !== undefined) ids.add(from);
  }
  for (const id of req.rules.pin ?? []) ids.add(id);
  return [...ids];
}

/**
 * Stage 2: drops uncatalogued items unless allowed (stage 1 already left out the item on screen and, unless
 * `includeViewed`, what the session saw), applies the business rules (filters, boosts, diversity, category cap, pins),
 * cuts at k, and explains and decorates each item. `personalized` is true only when the visitor's own evidence
 * produced a served item.
 */
export function finishList(ranked: Ranked, req: PipelineRequest, catalog: CatalogLookup): FinishedList {
  const catalogued = (id: string) => req.allowUncatalogued || catalog(id) != null;
  const meta = (id: string): ItemMeta | undefined => catalog(id) ?? undefined;
  const size = window(req, 0);
  const pool: Candidate[] = [];
  for (const c of ranked.candidates) {
    if (pool.length >= size) break;
    if (catalogued(c.itemId)) pool.push(c);
  }
  const purchased = new Set(req.ctx.history.filter((h) => h.purchases > 0).map((h) => h.itemId));
  const viewed = new Set([...req.ctx.history.map((h) => h.itemId), ...req.ctx.path]);
  // A pin no source scored is there because the site put it there: its reason says so.
  const pinned = (itemId: string): Candidate => ({ itemId, score: 0, reason: { kind: "pinned" }, personal: false, source: "pinned" });
  const rules: Rules = { ...req.rules, exclude: [...ranked.excluded], pin: req.rules.pin?.filter(catalogued) };
  const picked = applyRules(pool, rules, { meta, purchased, viewed, k: req.k }, pinned);
  const label = (id: string) => catalog(id)?.title ?? (req.allowUncatalogued ? id : undefined);
  const items = picked.map((p): ListItem => {
    const d = catalog(p.itemId);
    const item: ListItem = { id: p.itemId, score: Math.round(p.score * 1e4) / 1e4, reason: explain(p.reason, label, p.itemId) };
    if (d?.title) item.title = d.title;
    if (d?.url) item.url = d.url;
    if (d?.image) item.image = d.image;
    return item;
  });
  return { items, personalized: picked.some((p) => p.personal), candidates: picked };
}

/** Both stages over in-memory lookups: what the evaluation runs (the Worker runs the same two with loads between). */
export function recommendInMemory(req: PipelineRequest, view: ArtifactView, catalog: CatalogLookup): FinishedList {
  const current = req.ctx.current;
  const categories = current !== undefined ? (catalog(current)?.categories ?? []) : [];
  return finishList(rankCandidates(req, view, categories), req, catalog);
}
