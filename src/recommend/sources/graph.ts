// Graph source: random-walk item embeddings (node2vec-style, skip-gram with negative sampling) over the item
// transition graph of visitors' browsing, trained in every retrain into the personal artifact's "graph" family
// (per-item neighbour lists), and scored from the newest path items.
import { ItemGraphAccumulator, trainEmbeddings, neighbourLists, DEFAULT_EMBEDDING_CONFIG } from "../item-embeddings";
import { DEFAULT_GRAPH_SCORE_OPTIONS, scoreGraphWithReasons } from "../graph-source";
import type { CandidateSource, FamilyTrainer, HistoryRow, SourceContext } from "./types";
import { runSplitter } from "../history-runs";
import { topKOfMap } from "../top-k";
import type { Neighbour } from "../types";

/** The path items whose graph lists are read: the newest distinct ones, as many as the scorer may use. */
function graphSeeds(ctx: SourceContext): string[] {
  const out: string[] = [];
  for (let i = ctx.path.length - 1; i >= 0 && out.length < DEFAULT_GRAPH_SCORE_OPTIONS.maxPath * 4; i--) {
    if (!out.includes(ctx.path[i]!)) out.push(ctx.path[i]!);
  }
  return out;
}

/**
 * Feeds each profile's time-ordered rows to the graph as sessions, split where the visitor was idle longer than
 * GRAPH_SESSION_GAP_MS: the retrain reads histories per profile, and the evaluation's sessions are such runs.
 */
export class GraphFamilyTrainer implements FamilyTrainer {
  private readonly graph = new ItemGraphAccumulator(DEFAULT_EMBEDDING_CONFIG.edgeSteps);
  private readonly runs = runSplitter((run) => {
    if (run.length > 1) this.graph.pushSession(run.map((r) => r.itemId));
  });

  pushHistory(row: HistoryRow): void {
    this.runs.push(row);
  }

  /** One session's items, oldest first (the evaluation's sessions). */
  pushSession(items: readonly string[]): void {
    this.runs.end();
    this.graph.pushSession(items);
  }

  build(): { items: readonly string[]; lists: Neighbour[][] } {
    this.runs.end();
    const n = this.graph.vocab.size;
    if (n === 0) return { items: [], lists: [] };
    const c = DEFAULT_EMBEDDING_CONFIG;
    const packed = neighbourLists(trainEmbeddings(this.graph, c), n, c);
    const items = this.graph.items;
    const lists = Array.from({ length: n }, (_, i) => {
      const out: Neighbour[] = [];
      for (let e = packed.offsets[i]!; e < packed.offsets[i + 1]!; e++) out.push({ itemId: items[packed.neighbours[e]!]!, score: packed.scores[e]! });
      return out;
    });
    return { items: items.slice(), lists };
  }
}

export const graphSource = {
  name: "graph",
  // 0.1 of the session source's normalised scale on train's last day (docs/model.md, "Graph source"): 20 × 0.1.
  defaultWeight: 2,
  // Its scores are the skip-gram model's own probabilities in (0, 1]: summed as they are, like the evaluation's row.
  normalise: "raw",
  evidence: true,
  families: [{ artifact: "personal", family: "graph", trainer: () => new GraphFamilyTrainer() }],
  trains:
    "node2vec random walks over the item transition graph of visitors' browsing (runs split at an idle gap), skip-gram with negative sampling, turned into per-item neighbour lists (src/recommend/item-embeddings.ts), rebuilt each retrain",
  seeds: graphSeeds,
  candidates(ctx, view, pool) {
    if (ctx.path.length === 0) return [];
    const lists = (id: string) => view.personal(id)?.graph;
    return topKOfMap(scoreGraphWithReasons(ctx.path, lists), pool, (c) => c.score).map(([itemId, c]) => ({ itemId, score: c.score, reason: { kind: "related" as const, itemId: c.from } }));
  },
  personal: (c, own) => "itemId" in c.reason && own.has(c.reason.itemId),
} as const satisfies CandidateSource<"graph">;
