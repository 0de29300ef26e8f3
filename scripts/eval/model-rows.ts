// The session-model rows of the evaluation: the headline configuration served through the artifact codec
// (quantised scores, sharded, decoded as the Worker decodes them), and with --variants a few ablations.
import { encodeShards, lookupFromShards } from "../../src/models/shards";
import type { SessionModel } from "../../src/recommend/types";
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
  return rows.map(sessionModel);
}
