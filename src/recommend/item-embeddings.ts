// Graph candidate source (issue 9, part 7): item embeddings learned from random walks over the item transition
// graph (DeepWalk, optionally node2vec p/q), skip-gram with negative sampling, turned into per-item top-N
// neighbour lists (skip-gram context scores, or cosine) at training time. Pure TypeScript over typed arrays; the cron and the evaluation share it.
import { GRAPH_MAX_WALK_TOKENS } from "../config/limits";
import { ItemVocab } from "./item-vocab";
import { PairTable, type PairRows } from "./pair-table";
import { seededRandom } from "./random";
import { topKIndices } from "./top-k";
import type { PackedLists } from "./types";

export type EmbeddingConfig = {
  /** Vector dimension. */
  dim: number;
  /** Walks started from every item with an edge, per epoch. */
  walksPerNode: number;
  /** Steps per walk (nodes visited, start included). */
  walkLength: number;
  /** Skip-gram context window (word2vec's shrinking window: each centre draws a width in 1..window). */
  window: number;
  /** Negative samples per positive pair, drawn from visit frequency^0.75. */
  negatives: number;
  /** Passes of fresh walks; the learning rate falls linearly to lrMin over all of them. */
  epochs: number;
  lr: number;
  lrMin: number;
  /** node2vec return (p) and in-out (q) parameters; 1 / 1 is DeepWalk (first-order weighted walks). */
  p: number;
  q: number;
  /** Transition a→b within a session, this many steps apart at most, adds 1/distance to edge {a, b}. */
  edgeSteps: number;
  /** Neighbours kept per item. */
  k: number;
  /**
   * How neighbours are scored: "context" = σ(input_a · context_b), the skip-gram model's own estimate that b occurs
   * near a on a walk (PMI-like); "cosine" = cosine of the input vectors (similar neighbourhoods).
   */
  similarity: "context" | "cosine";
  seed: number;
};

// Chosen on the yoochoose-100k training data's last day, never the test day (docs/model.md, "Graph source"):
// node2vec's local walks (p 0.25 returns often, q 4 rarely moves outward) beat DeepWalk (p = q = 1) there, and
// 4 epochs beat 2, and context scores beat cosine. Bounded so training stays ~10-20 s on yoochoose-100k.
export const DEFAULT_EMBEDDING_CONFIG: EmbeddingConfig = {
  dim: 32,
  walksPerNode: 10,
  walkLength: 20,
  window: 4,
  negatives: 5,
  epochs: 4,
  lr: 0.025,
  lrMin: 0.0001,
  p: 0.25,
  q: 4,
  edgeSteps: 1,
  k: 50,
  similarity: "context",
  seed: 1,
};

/** Per-item neighbour lists (self excluded, best first), scores in (0, 1]. */
export type GraphLists = { items: readonly string[]; lists: PackedLists };

/** Streaming accumulator of the undirected, weighted item transition graph (sums only, so it merges by addition). */
export class ItemGraphAccumulator {
  readonly vocab = new ItemVocab();
  /** Undirected edges stored once with a < b. */
  readonly edges = new PairTable(4096);

  constructor(readonly edgeSteps: number = DEFAULT_EMBEDDING_CONFIG.edgeSteps) {}

  /** Adds one session's transitions (item ids oldest first); repeats of the same item are not edges. */
  pushSession(items: readonly string[]): void {
    const nums = items.map((id) => this.vocab.intern(id));
    for (let n = 1; n < nums.length; n++) {
      for (let d = 1; d <= Math.min(this.edgeSteps, n); d++) {
        const a = nums[n - d];
        const b = nums[n];
        if (a === b) continue;
        if (a < b) this.edges.add(a, b, 1 / d);
        else this.edges.add(b, a, 1 / d);
      }
    }
  }

  get items(): readonly string[] {
    return this.vocab.list();
  }

  /** Adjacency rows (each edge under both ends). */
  rows(): PairRows {
    return this.edges.rows(this.vocab.size, true);
  }
}

export type TrainLog = (line: string) => void;

/**
 * Skip-gram's two tables, row-major n × dim: input (item) vectors and context (output) vectors. `trained[i]` is 1
 * when item i has an edge: an item without one is never on a walk, so its vectors are its random start (input) and
 * zeros (context), and it must neither get a list nor appear in one.
 */
export type Embeddings = { input: Float32Array; context: Float32Array; trained: Uint8Array };

/**
 * Learns two vectors per item by SGNS over weighted random walks. Walks are generated on the fly (no corpus is
 * held), so memory is the graph plus 2 · n · dim floats.
 */
/**
 * Walks started per node in each epoch: the configured number, fewer on a catalog so large that an epoch would
 * exceed GRAPH_MAX_WALK_TOKENS (the skip-gram's cost is per walked token), never fewer than one. Below the budget
 * (every shared evaluation dataset) training is exactly as configured.
 */
export function walksPerNodeFor(nodes: number, c: Pick<EmbeddingConfig, "walksPerNode" | "walkLength">, budget = GRAPH_MAX_WALK_TOKENS): number {
  if (nodes === 0) return c.walksPerNode;
  return Math.max(1, Math.min(c.walksPerNode, Math.floor(budget / (nodes * c.walkLength))));
}

export function trainEmbeddings(graph: ItemGraphAccumulator, config: Partial<EmbeddingConfig> = {}, log: TrainLog = () => {}): Embeddings {
  const c = { ...DEFAULT_EMBEDDING_CONFIG, ...config };
  const n = graph.vocab.size;
  const dim = c.dim;
  const rows = graph.rows();
  const rand = seededRandom(c.seed);
  // Cumulative edge weights per row, for weighted neighbour sampling by binary search.
  const cum = new Float64Array(rows.vals.length);
  const strength = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let e = rows.rowStart[a]; e < rows.rowStart[a + 1]; e++) cum[e] = s += rows.vals[e];
    strength[a] = s;
  }
  const starts: number[] = [];
  for (let a = 0; a < n; a++) if (strength[a] > 0) starts.push(a);

  const noise = noiseTable(strength, n, rand);
  const vin = new Float32Array(n * dim);
  const vout = new Float32Array(n * dim);
  for (let i = 0; i < vin.length; i++) vin[i] = (rand() - 0.5) / dim;

  const walk = new Uint32Array(c.walkLength);
  const grad = new Float32Array(dim);
  const walksPerNode = walksPerNodeFor(starts.length, c);
  const totalWalks = c.epochs * walksPerNode * starts.length;
  let walksDone = 0;
  const sampleNext = (v: number): number => {
    const from = rows.rowStart[v];
    const to = rows.rowStart[v + 1];
    const x = rand() * strength[v];
    let lo = from;
    let hi = to - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return rows.cols[lo];
  };
  const node2vec = c.p !== 1 || c.q !== 1;
  const maxAlpha = Math.max(1 / c.p, 1, 1 / c.q);
  const adjacent = (x: number, y: number) => graph.edges.get(Math.min(x, y), Math.max(x, y)) > 0;

  for (let epoch = 0; epoch < c.epochs; epoch++) {
    for (let r = 0; r < walksPerNode; r++) {
      shuffle(starts, rand);
      for (const start of starts) {
        // One walk.
        walk[0] = start;
        let len = 1;
        while (len < c.walkLength && strength[walk[len - 1]] > 0) {
          const v = walk[len - 1];
          let next = sampleNext(v);
          if (node2vec && len >= 2) {
            // node2vec's second-order bias by rejection sampling (no per-edge alias tables to hold), capped at 20
            // draws so a walk never stalls (the last draw then stands: a slight bias towards the plain weighted walk).
            const t = walk[len - 2];
            for (let tries = 0; tries < 20; tries++) {
              const alpha = next === t ? 1 / c.p : adjacent(next, t) ? 1 : 1 / c.q;
              if (rand() * maxAlpha < alpha) break;
              next = sampleNext(v);
            }
          }
          walk[len++] = next;
        }
        // Skip-gram with negative sampling over the walk.
        const lr = c.lr - (c.lr - c.lrMin) * (walksDone / Math.max(1, totalWalks));
        for (let i = 0; i < len; i++) {
          const centre = walk[i] * dim;
          const b = 1 + Math.floor(rand() * c.window);
          for (let j = Math.max(0, i - b); j <= Math.min(len - 1, i + b); j++) {
            if (j === i || walk[j] === walk[i]) continue;
            grad.fill(0);
            for (let s = 0; s <= c.negatives; s++) {
              const target = s === 0 ? walk[j] : noise[Math.floor(rand() * noise.length)];
              if (s > 0 && target === walk[j]) continue;
              const o = target * dim;
              let dot = 0;
              for (let d = 0; d < dim; d++) dot += vin[centre + d] * vout[o + d];
              const g = ((s === 0 ? 1 : 0) - sigmoid(dot)) * lr;
              for (let d = 0; d < dim; d++) {
                grad[d] += g * vout[o + d];
                vout[o + d] += g * vin[centre + d];
              }
            }
            for (let d = 0; d < dim; d++) vin[centre + d] += grad[d];
          }
        }
        walksDone++;
      }
      log(`embeddings: epoch ${epoch + 1}/${c.epochs}, walks ${walksDone}/${totalWalks}`);
    }
  }
  const trained = new Uint8Array(n);
  for (const a of starts) trained[a] = 1;
  return { input: vin, context: vout, trained };
}

/**
 * Exact top-k cosine neighbours of every item (self excluded, similarity > 0 only): O(n² · dim), about a second
 * at the 3k items of yoochoose-100k; a catalogue of 50k+ items needs bucketing (LSH) first.
 */
export function cosineNeighbours(vectors: Float32Array, n: number, dim: number, k: number, use?: Uint8Array): PackedLists {
  const unit = new Float32Array(n * dim);
  for (let a = 0; a < n; a++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += vectors[a * dim + d] ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) unit[a * dim + d] = vectors[a * dim + d] * inv;
  }
  return topNeighbours(n, k, use, (a, b) => {
    let dot = 0;
    const ao = a * dim;
    const bo = b * dim;
    for (let d = 0; d < dim; d++) dot += unit[ao + d] * unit[bo + d];
    return dot;
  });
}

/** Each row's k best columns by `sim` (self excluded, sim > 0 only), packed; only items with use[i] (default all). */
function topNeighbours(n: number, k: number, use: Uint8Array | undefined, sim: (a: number, b: number) => number): PackedLists {
  const offsets = new Uint32Array(n + 1);
  const neighbours = new Uint32Array(n * Math.min(k, Math.max(0, n - 1)) || 1);
  const scores = new Float32Array(neighbours.length);
  const sims = new Float64Array(n);
  let out = 0;
  for (let a = 0; a < n; a++) {
    if (use && !use[a]) {
      offsets[a + 1] = out;
      continue;
    }
    for (let b = 0; b < n; b++) sims[b] = b === a || (use && !use[b]) ? -Infinity : sim(a, b);
    for (const b of topKIndices(sims, k, n)) {
      if (!(sims[b] > 0)) continue;
      neighbours[out] = b;
      scores[out++] = sims[b];
    }
    offsets[a + 1] = out;
  }
  return { offsets, neighbours: neighbours.slice(0, out), scores: scores.slice(0, out) };
}

/**
 * Exact top-k neighbours of every item by σ(input_a · context_b) (self excluded): the trained model's probability
 * that b is a true walk neighbour of a rather than noise. Asymmetric in general; O(n² · dim) like cosineNeighbours.
 */
export function contextNeighbours(e: Embeddings, n: number, dim: number, k: number): PackedLists {
  return topNeighbours(n, k, e.trained, (a, b) => {
    let dot = 0;
    const ao = a * dim;
    const bo = b * dim;
    for (let d = 0; d < dim; d++) dot += e.input[ao + d] * e.context[bo + d];
    return 1 / (1 + Math.exp(-dot));
  });
}

/** The configured neighbour lists of trained embeddings. */
export function neighbourLists(e: Embeddings, n: number, c: Pick<EmbeddingConfig, "dim" | "k" | "similarity">): PackedLists {
  return c.similarity === "cosine" ? cosineNeighbours(e.input, n, c.dim, c.k, e.trained) : contextNeighbours(e, n, c.dim, c.k);
}

/** The whole training step: sessions → graph → embeddings → neighbour lists. */
export function trainGraphLists(sessions: Iterable<readonly string[]>, config: Partial<EmbeddingConfig> = {}, log: TrainLog = () => {}): GraphLists {
  const c = { ...DEFAULT_EMBEDDING_CONFIG, ...config };
  const graph = new ItemGraphAccumulator(c.edgeSteps);
  for (const s of sessions) graph.pushSession(s);
  log(`graph: ${graph.vocab.size} items, ${graph.edges.size} edges`);
  const e = trainEmbeddings(graph, c, log);
  return { items: graph.items.slice(), lists: neighbourLists(e, graph.vocab.size, c) };
}

function sigmoid(x: number): number {
  if (x > 6) return 1;
  if (x < -6) return 0;
  return 1 / (1 + Math.exp(-x));
}

/** word2vec's unigram^0.75 noise table over walk-visit weights (node strength is proportional to visits). */
function noiseTable(strength: Float64Array, n: number, rand: () => number): Uint32Array {
  const size = Math.max(1024, Math.min(1 << 20, n * 100));
  const table = new Uint32Array(size);
  let total = 0;
  for (let a = 0; a < n; a++) total += Math.pow(strength[a], 0.75);
  if (total === 0) {
    for (let i = 0; i < size; i++) table[i] = Math.floor(rand() * Math.max(1, n));
    return table;
  }
  let a = 0;
  let acc = Math.pow(strength[0], 0.75) / total;
  for (let i = 0; i < size; i++) {
    const x = (i + 0.5) / size;
    while (acc < x && a < n - 1) acc += Math.pow(strength[++a], 0.75) / total;
    table[i] = a;
  }
  return table;
}

function shuffle(xs: number[], rand: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}
