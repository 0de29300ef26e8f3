// Fits the pipeline's re-ranker (src/recommend/rerank.ts) on held-out sessions: every prefix of each session is run
// through the pipeline's first stage over a view trained WITHOUT those sessions, and the model learns to put the
// next item first among the blend's top candidates. Shared by the retrain and the evaluation, so both fit alike.
import { GRAPH_SESSION_GAP_MS, RERANK_MAX_HELDOUT_SESSIONS, RERANK_MIN_EXAMPLES, RERANK_POOL, RERANK_SCOPE } from "../config/limits";
import { rankCandidates, type PipelineRequest } from "../recommend/pipeline";
import { fitRerank, rerankFeatures, type RerankExample, type RerankModel, type RerankScope } from "../recommend/rerank";
import { SessionState } from "../recommend/session-state";
import type { ArtifactView, CatalogItem, HistoryRow } from "../recommend/sources/types";
import { SessionModelTrainer } from "../recommend/trainer";
import type { Neighbour } from "../recommend/types";
import { PersonalFamiliesTrainer } from "./personal-families";
import { encodeFamilies, encodeShards, lookupFromShards } from "./shards";

/**
 * The training rows, up to two per prefix: the request that keeps viewed items (the model learns when a revisit
 * beats a new item), and when the next item is new, the request a "next" slot makes (what the session saw left out,
 * so the model also learns the order of new items among themselves). Each counts when its next item is among the top
 * `pool` evidence candidates.
 */
export function rerankExamples(view: ArtifactView, sessions: readonly (readonly string[])[], pool: number, now = 0): { examples: RerankExample[]; prefixes: number } {
  const plain: ArtifactView = { ...view, rerank: null };
  const examples: RerankExample[] = [];
  let prefixes = 0;
  const add = (path: string[], includeViewed: boolean, next: string) => {
    const req: PipelineRequest = { ctx: { path, history: [], segment: null, now }, sessionPath: path, rules: { includeViewed }, k: pool, allowUncatalogued: true };
    const top = rankCandidates(req, plain).candidates.filter((c) => c.source !== "backfill").slice(0, pool);
    const target = top.findIndex((c) => c.itemId === next);
    if (target >= 0 && top.length >= 2) examples.push({ rows: rerankFeatures(path, top.map((c) => c.itemId), plain), target });
  };
  for (const items of sessions) {
    const state = new SessionState();
    for (let t = 0; t + 1 < items.length; t++) {
      state.push(items[t]!, t);
      prefixes++;
      const path = state.path();
      const next = items[t + 1]!;
      add(path, true, next);
      if (!items.slice(0, t + 1).includes(next)) add(path, false, next);
    }
  }
  return { examples, prefixes };
}

/** A version's re-ranker as stored in its personal data: the model, when and on how much it was fitted. */
export type RerankFit = { model: RerankModel; fittedAt: number; prefixes: number; examples: number };

/**
 * The retrain's held-out copy for the re-ranker. It is fed the same history rows as the personal families (profiles
 * in turn, time order within one) and splits each profile's rows into runs at GRAPH_SESSION_GAP_MS, like the graph
 * trainer: runs that end before `cut` train a session model and every personal family (the head copy), newer runs
 * are held out. `fit` then scores the held-out runs' prefixes over the head copy, so the model learns how far to
 * trust lists that have not seen the sessions they score, as at serving time.
 */
export class RerankFitTrainer {
  private readonly session = new SessionModelTrainer();
  private readonly families = new PersonalFamiliesTrainer();
  private readonly heldOut: string[][] = [];
  private run: HistoryRow[] = [];
  private headRuns = 0;

  constructor(
    private readonly cut: number,
    private readonly scope: RerankScope = RERANK_SCOPE,
    private readonly minExamples = RERANK_MIN_EXAMPLES,
  ) {}

  pushCatalog(item: CatalogItem): void {
    this.families.pushCatalog(item);
  }

  pushHistory(row: HistoryRow): void {
    const last = this.run.at(-1);
    if (last && (last.profileId !== row.profileId || row.ts - last.ts > GRAPH_SESSION_GAP_MS)) this.flush();
    this.run.push(row);
  }

  private flush(): void {
    const run = this.run;
    this.run = [];
    if (run.length === 0) return;
    const items = run.map((r) => r.itemId);
    if (run.at(-1)!.ts >= this.cut) {
      if (items.length > 1 && this.heldOut.length < RERANK_MAX_HELDOUT_SESSIONS) this.heldOut.push(items);
      return;
    }
    this.headRuns++;
    this.session.pushSession(items);
    for (const r of run) this.families.pushHistory(r);
  }

  /**
   * The fit, or null when either side is empty or the held-out day gives fewer than `minExamples` rows (the version
   * then serves the blend's order).
   */
  fit(trending: readonly Neighbour[], now: number): RerankFit | null {
    this.flush();
    if (this.headRuns === 0 || this.heldOut.length === 0) return null;
    const session = encodeShards(this.session.build());
    const personal = encodeFamilies(this.families.build().model);
    const none = () => undefined;
    const view: ArtifactView = {
      session: session.shards.length > 0 ? lookupFromShards(session.shards) : none,
      personal: personal.shards.length > 0 ? lookupFromShards(personal.shards) : none,
      trending,
    };
    const { examples, prefixes } = rerankExamples(view, this.heldOut, RERANK_POOL);
    if (examples.length < Math.max(1, this.minExamples)) return null;
    return { model: fitRerank(examples, RERANK_POOL, {}, this.scope), fittedAt: now, prefixes, examples: examples.length };
  }
}
