// Fits the pipeline's re-ranker (src/recommend/rerank.ts) on held-out sessions: every prefix of each session is run
// through the pipeline's first stage over a view trained WITHOUT those sessions, and the model learns to put the
// next item first among the blend's top candidates. Shared by the retrain and the evaluation, so both fit alike.
import { rankCandidates, type PipelineRequest } from "../recommend/pipeline";
import { fitRerank, rerankFeatures, type FitOptions, type RerankExample, type RerankModel } from "../recommend/rerank";
import { SessionState } from "../recommend/session-state";
import type { ArtifactView } from "../recommend/sources/types";

export type RerankFitResult = { model: RerankModel; prefixes: number; examples: number };

/**
 * The training rows: one per prefix whose next item is among the top `pool` evidence candidates (repeats included:
 * the request keeps viewed items, so the model learns when a revisit beats a new item).
 */
export function rerankExamples(view: ArtifactView, sessions: readonly (readonly string[])[], pool: number, now = 0): { examples: RerankExample[]; prefixes: number } {
  const plain: ArtifactView = { ...view, rerank: null };
  const examples: RerankExample[] = [];
  let prefixes = 0;
  for (const items of sessions) {
    const state = new SessionState();
    for (let t = 0; t + 1 < items.length; t++) {
      state.push(items[t]!, t);
      prefixes++;
      const path = state.path();
      const req: PipelineRequest = { ctx: { path, history: [], segment: null, now }, sessionPath: path, rules: { includeViewed: true }, k: pool, allowUncatalogued: true };
      const top = rankCandidates(req, plain).candidates.filter((c) => c.source !== "backfill").slice(0, pool);
      const target = top.findIndex((c) => c.itemId === items[t + 1]);
      if (target < 0 || top.length < 2) continue;
      examples.push({ rows: rerankFeatures(path, top.map((c) => c.itemId), plain), target });
    }
  }
  return { examples, prefixes };
}

/** Examples over the held-out sessions, then the fit. */
export function fitRerankOn(view: ArtifactView, heldOut: readonly (readonly string[])[], pool: number, options: Partial<FitOptions> = {}): RerankFitResult {
  const { examples, prefixes } = rerankExamples(view, heldOut, pool);
  return { model: fitRerank(examples, pool, options), prefixes, examples: examples.length };
}
