// Fits the pipeline's re-ranker (src/recommend/rerank.ts) on held-out sessions: every prefix of each session is run
// through the pipeline's first stage over a view trained WITHOUT those sessions, and the model learns to put the
// next item first among the blend's top candidates. Shared by the retrain and the evaluation, so both fit alike.
import { RERANK_HOLDOUT_DAYS, RERANK_HOLDOUT_MS, RERANK_MAX_HELDOUT_SESSIONS, RERANK_MIN_EXAMPLES, RERANK_POOL, RERANK_SCOPE } from "../config/limits";
import { runSplitter } from "../recommend/history-runs";
import { rankCandidates, type PipelineRequest } from "../recommend/pipeline";
import { fitRerank, packExample, rerankFeatures, type RerankExample, type RerankModel, type RerankScope } from "../recommend/rerank";
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
    if (target >= 0 && top.length >= 2) examples.push(packExample(rerankFeatures(path, top.map((c) => c.itemId), plain), target));
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

/** Replays rows to `visit` (the retrain pages D1, the evaluation walks an array); the fit makes several passes. */
export type Replay<T> = (visit: (row: T) => void) => Promise<unknown> | void;

/** Where the fit reads: the catalog and the history (profiles in turn, time order within one), each replayable. */
export type RerankFitInput = { catalog: Replay<CatalogItem>; history: Replay<HistoryRow> };

export type RerankFitOptions = {
  /** Newest held-out windows of RERANK_HOLDOUT_MS, each from its own head copy. */
  days: number;
  scope: RerankScope;
  minExamples: number;
  maxHeldOut: number;
  /** Runs after each pass's reading (its trainer full) and after the rows (bench/train-scale.ts samples memory there). */
  probe: () => void;
};

const DEFAULTS: RerankFitOptions = {
  days: RERANK_HOLDOUT_DAYS,
  scope: RERANK_SCOPE,
  minExamples: RERANK_MIN_EXAMPLES,
  maxHeldOut: RERANK_MAX_HELDOUT_SESSIONS,
  probe: () => {},
};

/** One pass the caller feeds: the catalog first when `catalog` is set, then every history row in order. */
export type RerankPass = { catalog: boolean; pushCatalog(item: CatalogItem): void; pushHistory(row: HistoryRow): void };

/**
 * The re-ranker's training rows. Each of the newest `days` RERANK_HOLDOUT_MS windows before `newest` is held out
 * from its own head copy (a session model and every personal family trained on the runs that end before that
 * window), and its prefixes are scored over that copy, so the model learns how far to trust lists that have not
 * seen the sessions they score, as at serving time.
 *
 * Memory: a copy is nearly the whole history again. So it is never held beside the retrain's own trainers, and its
 * session statistics and its families are trained in two separate passes over the input (`nextPass`), each of which
 * then peaks like the retrain's own phase of that kind (bench/train-scale.ts). The price is two more reads of the
 * history per window, once a day. A profile whose events arrive between the passes may be seen a little
 * differently by the two; a fit tolerates that.
 */
export class RerankFitTrainer {
  private readonly o: RerankFitOptions;
  private readonly passes: Generator<RerankPass, void, void>;
  private rows: { examples: RerankExample[]; prefixes: number } | null = null;
  private done = false;

  constructor(
    private readonly newest: number,
    private readonly trending: readonly Neighbour[],
    options: Partial<RerankFitOptions> = {},
  ) {
    this.o = { ...DEFAULTS, ...options };
    this.passes = this.run();
  }

  /** The next pass to feed, or null once every window's rows are made. */
  nextPass(): RerankPass | null {
    const r = this.passes.next();
    if (r.done) this.done = true;
    return r.done ? null : r.value;
  }

  /** The held-out rows (null when no window has both a head and held-out runs); after the last pass. */
  examples(): { examples: RerankExample[]; prefixes: number } | null {
    if (!this.done) throw new Error("RerankFitTrainer: passes remain");
    return this.rows;
  }

  /** The fit, or null when the rows are fewer than `minExamples` (the version then serves the blend's order). */
  fit(): RerankFit | null {
    const ex = this.examples();
    if (!ex || ex.examples.length < Math.max(1, this.o.minExamples)) return null;
    return { model: fitRerank(ex.examples, RERANK_POOL, {}, this.o.scope), fittedAt: this.newest, prefixes: ex.prefixes, examples: ex.examples.length };
  }

  private *run(): Generator<RerankPass, void, void> {
    const none = () => undefined;
    const o = this.o;
    for (let d = 0; d < o.days; d++) {
      const cut = this.newest - (d + 1) * RERANK_HOLDOUT_MS;
      const until = d === 0 ? Infinity : this.newest - d * RERANK_HOLDOUT_MS;
      // Pass 1: the copy's session statistics, and the window's runs (capped, so small).
      let session: SessionModelTrainer | undefined = new SessionModelTrainer();
      const heldOut: string[][] = [];
      let headRuns = 0;
      const first = runSplitter((run) => {
        const end = run.at(-1)!.ts;
        if (end >= until) return;
        if (end < cut) {
          headRuns++;
          session!.pushSession(run.map((r) => r.itemId));
        } else if (run.length > 1 && heldOut.length < o.maxHeldOut) heldOut.push(run.map((r) => r.itemId));
      });
      yield { catalog: false, pushCatalog: () => {}, pushHistory: (r) => first.push(r) };
      first.end();
      if (headRuns === 0 || heldOut.length === 0) continue;
      o.probe();
      const sessionShards = encodeShards(session.build()).shards;
      session = undefined;
      // Pass 2: the copy's personal families over the same head runs.
      let families: PersonalFamiliesTrainer | undefined = new PersonalFamiliesTrainer();
      const second = runSplitter((run) => {
        if (run.at(-1)!.ts >= cut) return;
        for (const r of run) families!.pushHistory(r);
      });
      yield { catalog: true, pushCatalog: (item) => families!.pushCatalog(item), pushHistory: (r) => second.push(r) };
      second.end();
      o.probe();
      const personalShards = encodeFamilies(families.build().model).shards;
      families = undefined;
      const view: ArtifactView = {
        session: sessionShards.length > 0 ? lookupFromShards(sessionShards) : none,
        personal: personalShards.length > 0 ? lookupFromShards(personalShards) : none,
        trending: this.trending,
      };
      const ex = rerankExamples(view, heldOut, RERANK_POOL);
      o.probe();
      this.rows = this.rows ? { examples: [...this.rows.examples, ...ex.examples], prefixes: this.rows.prefixes + ex.prefixes } : ex;
    }
  }
}

/** Feeds every pass from replays that may be asynchronous (the retrain's D1 pages). */
export async function feedRerankAsync(trainer: RerankFitTrainer, input: RerankFitInput): Promise<RerankFitTrainer> {
  for (let pass = trainer.nextPass(); pass; pass = trainer.nextPass()) {
    if (pass.catalog) await input.catalog((item) => pass!.pushCatalog(item));
    await input.history((row) => pass!.pushHistory(row));
  }
  return trainer;
}

/** Feeds every pass from in-memory rows (the evaluation, tests): `history()` is called once per pass. */
export function feedRerank(trainer: RerankFitTrainer, catalog: Iterable<CatalogItem>, history: () => Iterable<HistoryRow>): RerankFitTrainer {
  for (let pass = trainer.nextPass(); pass; pass = trainer.nextPass()) {
    if (pass.catalog) for (const item of catalog) pass.pushCatalog(item);
    for (const row of history()) pass.pushHistory(row);
  }
  return trainer;
}
