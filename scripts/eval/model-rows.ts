// The session-model rows of the evaluation: the headline configuration served through the artifact codec
// (quantised scores, sharded, decoded as the Worker decodes them), and with --variants a few ablations.
import { encodeShards, lookupFromShards } from "../../src/models/shards";
import type { SessionModel } from "../../src/recommend/types";
import { blend, DEFAULT_BLEND_WEIGHTS } from "../../src/recommend/blend";
import { sessionModel, type Algorithm, type ModelVariant, type Served } from "./algorithms";

/** Small shards on purpose, so the eval exercises multi-shard lookups as production does. */
const EVAL_SHARD_BYTES = 256 * 1024;

function viaArtifact(model: SessionModel): Served {
  const a = encodeShards(model, { maxShardBytes: EVAL_SHARD_BYTES });
  const notes = {
    artifactBytes: a.meta.totalBytes,
    artifactShards: a.meta.nShards,
    bytesPerItem: Math.round((a.meta.totalBytes / Math.max(1, a.meta.items)) * 10) / 10,
  };
  return { lookup: lookupFromShards(a.shards), notes };
}

export const HEADLINE: ModelVariant = { name: "SessionModel", serve: viaArtifact };

export function modelAlgorithms(variants: boolean): Algorithm[] {
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
  return [...rows.map(sessionModel), blendSessionOnly()];
}

/**
 * The production blend on session-only traffic (no user history, no catalog: only the session model and trending
 * are available). It must not rank worse than the session model alone.
 */
export function blendSessionOnly(base: Algorithm = sessionModel(HEADLINE)): Algorithm {
  return {
    name: "blend (session-only traffic)",
    train(sessions) {
      const inner = base.train(sessions);
      const pop = new Map<string, number>();
      for (const s of sessions) for (const it of s.items) pop.set(it, (pop.get(it) ?? 0) + 1);
      const trending = [...pop].sort((a, b) => b[1] - a[1]).slice(0, 200).map(([itemId, score]) => ({ itemId, score, reason: null }));
      return {
        notes: inner.notes,
        recommend(path, k) {
          const session = inner.recommend(path, k + 20).map((itemId, rank) => ({ itemId, score: 1 / (rank + 1), reason: null }));
          return blend({ session, trending }, DEFAULT_BLEND_WEIGHTS).slice(0, k).map((b) => b.itemId);
        },
      };
    },
  };
}
