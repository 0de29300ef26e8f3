// Fits the pipeline's re-ranker (src/recommend/rerank.ts) on held-out sessions: every prefix of each session is run
// through the pipeline's first stage over a view trained WITHOUT those sessions, and the model learns to put the
// next item first among the blend's top candidates. Shared by the retrain and the evaluation, so both fit alike.
import { GRAPH_SESSION_GAP_MS, RERANK_HOLDOUT_DAYS, RERANK_HOLDOUT_MS, RERANK_MAX_HELDOUT_SESSIONS, RERANK_MIN_EXAMPLES, RERANK_POOL, RERANK_SCOPE } from "../config/limits";
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

/** One held-out day: runs ending in [cut, until) are held out from a copy of every list trained on the runs before. */
type HeadCopy = { cut: number; until: number; session: SessionModelTrainer; families: PersonalFamiliesTrainer; heldOut: string[][]; headRuns: number };

/**
 * The retrain's held-out copies for the re-ranker. It is fed the same history rows as the personal families (profiles
 * in turn, time order within one) and splits each profile's rows into runs at GRAPH_SESSION_GAP_MS, like the graph
 * trainer. Each of the newest `days` RERANK_HOLDOUT_MS windows before `newest` is held out from its own head copy (a
 * session model and every personal family trained on the runs that end before that window); `fit` scores each
 * window's prefixes over its copy, so the model learns how far to trust lists that have not seen the sessions they
 * score, as at serving time.
 */
export class RerankFitTrainer {
  private readonly copies: HeadCopy[];
  private run: HistoryRow[] = [];

  constructor(
    newest: number,
    days = RERANK_HOLDOUT_DAYS,
    private readonly scope: RerankScope = RERANK_SCOPE,
    private readonly minExamples = RERANK_MIN_EXAMPLES,
    private readonly maxHeldOut = RERANK_MAX_HELDOUT_SESSIONS,
  ) {
    this.copies = Array.from({ length: days }, (_, d) => ({
      cut: newest - (d + 1) * RERANK_HOLDOUT_MS,
      until: d === 0 ? Infinity : newest - d * RERANK_HOLDOUT_MS,
      session: new SessionModelTrainer(),
      families: new PersonalFamiliesTrainer(),
      heldOut: [],
      headRuns: 0,
    }));
  }

  pushCatalog(item: CatalogItem): void {
    for (const c of this.copies) c.families.pushCatalog(item);
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
    const end = run.at(-1)!.ts;
    for (const c of this.copies) {
      if (end >= c.until) continue;
      if (end >= c.cut) {
        if (items.length > 1 && c.heldOut.length < this.maxHeldOut) c.heldOut.push(items);
        continue;
      }
      c.headRuns++;
      c.session.pushSession(items);
      for (const r of run) c.families.pushHistory(r);
    }
  }

  /**
   * The fit, or null when no copy has both sides or the held-out days give fewer than `minExamples` rows (the version
   * then serves the blend's order).
   */
  fit(trending: readonly Neighbour[], now: number): RerankFit | null {
    const ex = this.examples(trending);
    if (!ex || ex.examples.length < Math.max(1, this.minExamples)) return null;
    return { model: fitRerank(ex.examples, RERANK_POOL, {}, this.scope), fittedAt: now, prefixes: ex.prefixes, examples: ex.examples.length };
  }

  /** The held-out runs' training rows over their head copies (null when no copy has both sides). */
  examples(trending: readonly Neighbour[]): { examples: RerankExample[]; prefixes: number } | null {
    this.flush();
    const none = () => undefined;
    let out: { examples: RerankExample[]; prefixes: number } | null = null;
    for (const c of this.copies) {
      if (c.headRuns === 0 || c.heldOut.length === 0) continue;
      const session = encodeShards(c.session.build());
      const personal = encodeFamilies(c.families.build().model);
      const view: ArtifactView = {
        session: session.shards.length > 0 ? lookupFromShards(session.shards) : none,
        personal: personal.shards.length > 0 ? lookupFromShards(personal.shards) : none,
        trending,
      };
      const ex = rerankExamples(view, c.heldOut, RERANK_POOL);
      out = out ? { examples: [...out.examples, ...ex.examples], prefixes: out.prefixes + ex.prefixes } : ex;
    }
    return out;
  }
}
