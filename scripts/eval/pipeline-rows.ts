// The served blend as a row of the session protocol: the Worker's pipeline (src/recommend/pipeline.ts) over the
// artifacts the retrain would write from the training sessions — session statistics' lists and every registered
// personal family (the graph's among them) through the codec, trending by the Worker's query, the re-ranker the
// retrain would fit — with session-only context (no visitor history, no catalog), as /v1/sessions/:id/next serves it.
import { encodeFamilies, encodeShards } from "../../src/models/shards";
import { feedRerank, RerankFitTrainer } from "../../src/models/train-rerank";
import type { Neighbour } from "../../src/recommend/types";
import type { RerankModel, RerankScope } from "../../src/recommend/rerank";
import { PersonalFamiliesTrainer } from "../../src/models/personal-families";
import { recommendInMemory } from "../../src/recommend/pipeline";
import type { SourceName } from "../../src/recommend/sources";
import { SessionModelTrainer } from "../../src/recommend/trainer";
import { normalised } from "../../src/recommend/trending";
import { TRENDING_WINDOW } from "../../src/storage/trending-sql";
import type { Algorithm } from "./algorithms";
import { memoryCatalog, memoryView } from "./pipeline-view";
import type { Session } from "./sessions";
import { trendingOfEvents, type EvalEvent } from "./trending-db";

/** Small shards on purpose, so the eval exercises multi-shard lookups as production does. */
const EVAL_SHARD_BYTES = 256 * 1024;

/** Session clicks as stored events: the session stands for the visitor (Yoochoose has no visitor ids). */
function* clicks(sessions: readonly Session[]): Generator<EvalEvent> {
  for (const s of sessions) for (let i = 0; i < s.items.length; i++) yield { profileId: s.id, itemId: s.items[i]!, ts: s.times[i]! * 1000, type: "view" };
}

/** The artifacts the retrain would write from these sessions, as the pipeline's in-memory view. */
export function servedArtifacts(sessions: readonly Session[]) {
  const trainer = new SessionModelTrainer();
  const families = new PersonalFamiliesTrainer();
  let last = -Infinity;
  for (const s of sessions) {
    trainer.pushSession(s.items);
    last = Math.max(last, s.times.at(-1)! * 1000);
  }
  // Each session is one profile's history, as the retrain streams it (profiles in turn, time order within one).
  for (const e of clicks(sessions)) families.pushHistory(e);
  const session = encodeShards(trainer.build(), { maxShardBytes: EVAL_SHARD_BYTES });
  const built = families.build();
  const personal = encodeFamilies(built.model, { maxShardBytes: EVAL_SHARD_BYTES });
  const trending = normalised(trendingOfEvents(clicks(sessions), last, TRENDING_WINDOW));
  const view = memoryView({ sessionShards: session.shards, personalShards: personal.shards, trending });
  const items = Math.max(1, session.meta.items);
  const notes = {
    bytesPerItem: Math.round(((session.meta.totalBytes + personal.meta.totalBytes) / items) * 10) / 10,
    personalFamilies: personal.meta.families.join("+"),
  };
  return { view, last, notes };
}

/**
 * How the served row gets its re-ranker: `none` (the blend's order), a fixed model, or `retrain`: fitted as the
 * retrain fits it (src/models/train-rerank.ts: each of the newest RERANK_HOLDOUT_DAYS days of the training sessions
 * held out from a copy trained on the sessions before it), then applied over the lists trained on everything.
 */
export type RerankChoice = "none" | "retrain" | { retrain: RerankScope } | RerankModel;

export function servedBlend(weights: Partial<Record<SourceName, number>> = {}, name = "served blend (pipeline, session-only traffic)", rerank: RerankChoice = "retrain"): Algorithm {
  return {
    name,
    train(sessions) {
      const { view, last, notes } = servedArtifacts(sessions);
      const model = rerank === "none"
          ? null
          : rerank === "retrain"
            ? retrainRerank(sessions, view.trending)
            : "retrain" in rerank
              ? retrainRerank(sessions, view.trending, rerank.retrain)
              : { model: rerank, prefixes: 0, examples: 0, seconds: 0 };
      const served = { ...view, rerank: model?.model ?? null };
      const catalog = memoryCatalog();
      const list = (path: readonly string[], k: number, includeViewed: boolean) => {
        const req = { ctx: { path, history: [], segment: null, now: last }, sessionPath: path, rules: { includeViewed }, k, weights, allowUncatalogued: true };
        return recommendInMemory(req, served, catalog).items.map((i) => i.id);
      };
      return {
        notes: model ? { ...notes, rerankPrefixes: model.prefixes, rerankExamples: model.examples, rerankSeconds: model.seconds } : notes,
        // Standard protocol: nothing is left out (includeViewed, no separate item on screen). New items: the request
        // /v1/sessions/:id/next makes, the session's items blended and left out after the blend (src/recommend/pipeline.ts).
        recommend: (path, k) => list(path, k, true),
        recommendUnseen: (path, k) => list(path, k, false),
      };
    },
  };
}

/**
 * The retrain's fit on these sessions, by the retrain's own code (RerankFitTrainer fed the clicks as history rows):
 * each of the newest RERANK_HOLDOUT_DAYS days held out from a copy of every list trained on the sessions before it.
 */
export function retrainRerank(sessions: readonly Session[], trending: readonly Neighbour[], scope?: RerankScope): { model: RerankModel; prefixes: number; examples: number; seconds: number } | null {
  const t0 = performance.now();
  const last = sessions.reduce((m, s) => Math.max(m, s.times.at(-1)! * 1000), -Infinity);
  const fit = feedRerank(new RerankFitTrainer(last, trending, scope ? { scope } : {}), [], () => clicks(sessions)).fit();
  return fit && { model: fit.model, prefixes: fit.prefixes, examples: fit.examples, seconds: Math.round((performance.now() - t0) / 100) / 10 };
}
