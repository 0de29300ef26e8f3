// The graph source's rows (`npm run eval -- ... --graph`): random-walk item embeddings' neighbour lists alone, and
// as an extra candidate family added to the session model, with the weight tuned on train's last day (never the
// test day). Both go through the artifact codec, so the lists are scored with their one-byte quantised scores.
import { encodeFamilies, lookupFromShards } from "../../src/models/shards";
import { addGraphCandidates, scoreGraph, type GraphLookup, type GraphScoreOptions } from "../../src/recommend/graph-source";
import { trainGraphLists, type EmbeddingConfig, type GraphLists } from "../../src/recommend/item-embeddings";
import { scoreSession } from "../../src/recommend/score-session";
import { SessionModelTrainer } from "../../src/recommend/trainer";
import type { Neighbour, NeighbourList } from "../../src/recommend/types";
import type { Algorithm } from "./algorithms";
import { HEADLINE } from "./model-rows";
import { runSessionProtocol, SESSION_PROTOCOLS } from "./protocol-sessions";
import type { Session } from "./sessions";
import { validationDay } from "./tune-session-blend";

/** Session-model candidates the graph family is merged into (it may also bring items from outside them). */
const SESSION_POOL = 100;

export const GRAPH_WEIGHT_GRID = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 1] as const;

type Parts = {
  session: (itemId: string) => NeighbourList | undefined;
  popular: readonly Neighbour[];
  graph: GraphLookup;
  notes: Record<string, number | string>;
};

/**
 * Graph lists through the artifact codec (as the one "graph" family of an otherwise empty artifact): the byte count
 * (minus the same items with an empty list) is what the family would add to an artifact, and decoding gives the
 * quantised scores serving would see.
 */
function graphViaArtifact(g: GraphLists): { lookup: GraphLookup; bytes: number } {
  const empty = { offsets: new Uint32Array(g.items.length + 1), neighbours: new Uint32Array(0), scores: new Float32Array(0) };
  const a = encodeFamilies({ items: g.items, families: { graph: g.lists }, popular: [] });
  const emptyBytes = encodeFamilies({ items: g.items, families: { graph: empty }, popular: [] }).meta.totalBytes;
  const lookup = lookupFromShards(a.shards);
  return { lookup: (id) => lookup(id)?.graph, bytes: a.meta.totalBytes - emptyBytes };
}

/** Trains the session model and the graph lists once per training set (the weight rows share them). */
function partsTrainer(config: Partial<EmbeddingConfig>, log: (line: string) => void): (sessions: readonly Session[]) => Parts {
  const cache = new WeakMap<readonly Session[], Parts>();
  return (sessions) => {
    const hit = cache.get(sessions);
    if (hit) return hit;
    const trainer = new SessionModelTrainer();
    for (const s of sessions) trainer.pushSession(s.items);
    const model = trainer.build();
    const served = HEADLINE.serve!(model);
    // Peak memory needs forced GCs to mean anything: bench/train-graph.ts measures it, not the eval.
    const t0 = performance.now();
    const g = trainGraphLists(
      sessions.map((s) => s.items),
      config,
      log,
    );
    const seconds = (performance.now() - t0) / 1000;
    const viaCodec = graphViaArtifact(g);
    const parts: Parts = {
      session: served.lookup,
      popular: model.popular,
      graph: viaCodec.lookup,
      notes: {
        graphTrainSeconds: Math.round(seconds * 100) / 100,
        graphListEntries: g.lists.neighbours.length,
        graphBytesPerItem: Math.round((viaCodec.bytes / Math.max(1, g.items.length)) * 10) / 10,
      },
    };
    cache.set(sessions, parts);
    return parts;
  };
}

export type GraphRowsOptions = { embedding?: Partial<EmbeddingConfig>; score?: Partial<GraphScoreOptions>; log?: (line: string) => void };

/** The graph lists alone (popularity back-fill), and the session model + weight × graph candidates. */
export function graphAlgorithms(weights: readonly number[], opts: GraphRowsOptions = {}): { alone: Algorithm; blended: Algorithm[] } {
  // One trained copy per row group, so each group's first row reports the real training time.
  const aloneParts = partsTrainer(opts.embedding ?? {}, opts.log ?? (() => {}));
  const parts = partsTrainer(opts.embedding ?? {}, opts.log ?? (() => {}));
  const alone: Algorithm = {
    name: "Graph (random-walk SGNS)",
    train(sessions) {
      const p = aloneParts(sessions);
      return {
        notes: p.notes,
        recommend(path, k) {
          const ranked = addGraphCandidates([], scoreGraph(path, p.graph, opts.score), 1, k);
          const have = new Set(ranked);
          for (const n of p.popular) if (ranked.length < k && !have.has(n.itemId)) ranked.push(n.itemId);
          return ranked;
        },
      };
    },
  };
  const blended = weights.map(
    (w): Algorithm => ({
      name: `SessionModel + graph (w=${w})`,
      train(sessions) {
        const p = parts(sessions);
        return {
          notes: p.notes,
          recommend(path, k) {
            const session = scoreSession(path, p.session, { k: Math.max(k, SESSION_POOL), popular: p.popular });
            return addGraphCandidates(session, w > 0 ? scoreGraph(path, p.graph, opts.score) : new Map(), w, k);
          },
        };
      },
    }),
  );
  return { alone, blended };
}

/**
 * The graph weight that maximises HR@20 + MRR@20 summed over both protocols on a validation day carved from train
 * (the test file is never read); 0 (the session model alone) is in the grid, so "not kept" is a possible answer.
 */
export function tuneGraphWeight(train: readonly Session[], opts: GraphRowsOptions = {}): { weight: number; table: string[] } {
  const log = opts.log ?? (() => {});
  const { train: head, valid } = validationDay(train);
  const { blended } = graphAlgorithms(GRAPH_WEIGHT_GRID, opts);
  const rows = runSessionProtocol(blended, head, valid, { protocols: SESSION_PROTOCOLS });
  const table: string[] = [];
  let best = { w: 0, s: -Infinity };
  GRAPH_WEIGHT_GRID.forEach((w, i) => {
    const std = rows[i]!.metrics.find((m) => m.k === 20)!;
    const fresh = rows[i + GRAPH_WEIGHT_GRID.length]!.metrics.find((m) => m.k === 20)!;
    const s = std.hr + std.mrr + fresh.hr + fresh.mrr;
    const line = `graph w=${w}: standard HR@20=${std.hr.toFixed(4)} MRR@20=${std.mrr.toFixed(4)} | new items HR@20=${fresh.hr.toFixed(4)} MRR@20=${fresh.mrr.toFixed(4)}`;
    table.push(line);
    log(line);
    if (s > best.s + 1e-9) best = { w, s };
  });
  log(`validation day: ${valid.length} sessions; chosen graph weight ${best.w}`);
  return { weight: best.w, table };
}
