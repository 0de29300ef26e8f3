// The session-model rows of the evaluation: the headline configuration served through the artifact codec
// (quantised scores, sharded, decoded as the Worker decodes them), and with --variants a few ablations.
import { encodeShards, lookupFromShards, sessionLookup } from "../../src/models/shards";
import type { SessionModel } from "../../src/recommend/types";
import { blend, DEFAULT_BLEND_WEIGHTS, type BlendSource } from "../../src/recommend/blend";
import { scoreSession } from "../../src/recommend/score-session";
import { SessionModelTrainer } from "../../src/recommend/trainer";
import { normalised } from "../../src/recommend/trending";
import { TRENDING_WINDOW } from "../../src/storage/trending-sql";
import { sessionModel, type Algorithm, type ModelVariant, type Served } from "./algorithms";
import type { Session } from "./sessions";
import { trendingOfEvents, type EvalEvent } from "./trending-db";

/** Small shards on purpose, so the eval exercises multi-shard lookups as production does. */
const EVAL_SHARD_BYTES = 256 * 1024;

function viaArtifact(model: SessionModel): Served {
  const a = encodeShards(model, { maxShardBytes: EVAL_SHARD_BYTES });
  const notes = {
    artifactBytes: a.meta.totalBytes,
    artifactShards: a.meta.nShards,
    bytesPerItem: Math.round((a.meta.totalBytes / Math.max(1, a.meta.items)) * 10) / 10,
  };
  return { lookup: sessionLookup(lookupFromShards(a.shards)), notes };
}

export const HEADLINE: ModelVariant = { name: "SessionModel", serve: viaArtifact };

/** The headline session model (+ ablations with `variants`) and the session-only blend (default or given weights). */
export function modelAlgorithms(variants: boolean, blendWeights?: Partial<Record<BlendSource, number>>): Algorithm[] {
  const rows: ModelVariant[] = [HEADLINE];
  if (variants) {
    const raw: ModelVariant = { name: "SessionModel raw (no codec)" };
    rows.push(
      raw,
      { ...raw, name: "  last item only", score: { maxPath: 1 } },
      { ...raw, name: "  after lists only", score: { withWeight: 0 } },
      { ...raw, name: "  with lists only", score: { afterWeight: 0, lastAfterWeight: 0 } },
      { ...raw, name: "  K=20 lists", build: { k: 20 } },
      { ...raw, name: "  K=50 lists", build: { k: 50 } },
      { ...raw, name: "  K=200 lists", build: { k: 200 } },
    );
  }
  return [...rows.map(sessionModel), blendSessionOnly(blendWeights)];
}

/** Candidates per source, as the Worker's recommendation route asks for (src/serving/personalized.ts POOL). */
const BLEND_POOL = 60;

/**
 * The production blend on session-only traffic (no user history, no catalog: only the session model and trending
 * are available), as the Worker runs it: the session scores (served through the artifact) and trending (the
 * Worker's query with production's 7-day window over the training clicks, each session one visitor) are blended
 * with the default weights, then trending back-fills a short list. It must not rank worse than the
 * session model alone.
 */
export function blendSessionOnly(weights: Partial<Record<BlendSource, number>> = DEFAULT_BLEND_WEIGHTS, name = "blend (session-only traffic)"): Algorithm {
  const w = { ...DEFAULT_BLEND_WEIGHTS, ...weights };
  return {
    name,
    train(sessions) {
      const trainer = new SessionModelTrainer();
      let last = -Infinity;
      for (const s of sessions) {
        trainer.pushSession(s.items);
        last = Math.max(last, s.times.at(-1)! * 1000);
      }
      const served = viaArtifact(trainer.build());
      const trending = normalised(trendingOfEvents(clicks(sessions), last, TRENDING_WINDOW));
      const trendingList = trending.slice(0, BLEND_POOL).map((n) => ({ ...n, reason: null }));
      return {
        notes: served.notes,
        recommend(path, k) {
          const session = scoreSession(path, served.lookup, { k: BLEND_POOL }).map((c) => ({ itemId: c.itemId, score: c.score, reason: null }));
          const ranked = blend({ session, trending: trendingList }, w).map((b) => b.itemId);
          const seen = new Set(ranked);
          for (const t of trendingList) if (ranked.length < k && !seen.has(t.itemId)) ranked.push(t.itemId);
          return ranked.slice(0, k);
        },
      };
    },
  };
}

/** Session clicks as stored events: the session stands for the visitor (Yoochoose has no visitor ids). */
function* clicks(sessions: readonly Session[]): Generator<EvalEvent> {
  for (const s of sessions) for (let i = 0; i < s.items.length; i++) yield { profileId: s.id, itemId: s.items[i]!, ts: s.times[i]! * 1000, type: "view" };
}
