// Item-to-item collaborative filtering from visitors' whole histories: items that the same people interacted with,
// weighted by event type, damped by the time between the two interactions and by popularity. Streaming trainer
// (push a user's interactions in a row) over typed-array pair sums; per-item top-K lists out.
import { ITEM_CF_WEIGHTS, type EventType } from "../schemas/event-types";
import { ItemVocab } from "./item-vocab";
import { groupRows, PairTable } from "./pair-table";
import { topKIndices, topKOfMap } from "./top-k";
import type { Neighbour } from "./types";

/**
 * How much one interaction says about taste: purchase > add to cart > like/share > click > view. Configuration,
 * not learned; from the event-type table, complete for every type (no default weight).
 */
export const DEFAULT_EVENT_WEIGHTS: Readonly<Record<EventType, number>> = ITEM_CF_WEIGHTS;

/** Item-CF training parameters (defaults in `DEFAULT_ITEM_CF_CONFIG`). */
export type ItemCfConfig = {
  eventWeights: Readonly<Record<EventType, number>>;
  /** Only a user's most recent items pair up (bounds the O(n^2) per user, and old taste matters less). */
  maxHistory: number;
  /** Pair weight falls as 1 / (1 + gap / decayMs) with the time between the two interactions. */
  decayMs: number;
  /** sim(a,b) = C(a,b) / (W_a^alpha * W_b^(1-alpha)): alpha 0.5 is cosine; higher damps popular targets less. */
  alpha: number;
  /** Neighbours kept per item. */
  k: number;
};

export const DEFAULT_ITEM_CF_CONFIG: ItemCfConfig = {
  eventWeights: DEFAULT_EVENT_WEIGHTS,
  maxHistory: 100,
  decayMs: 365 * 86_400_000,
  alpha: 0.5,
  k: 50,
};

/** Per-item neighbour lists (index-aligned with `items`), best first; the shape the artifact packs. */
export type ItemLists = { items: string[]; lists: Neighbour[][] };

/**
 * Streaming item-to-item CF trainer: `push` interactions grouped by user, then `build` per-item top-k lists.
 * Pair sums live in a typed-array hash table; an item's total weight in a Float64Array.
 */
export class ItemCfTrainer {
  readonly config: ItemCfConfig;
  private readonly vocab = new ItemVocab();
  private readonly pairs = new PairTable(4096);
  private weight = new Float64Array(1024);
  private user: string | undefined;
  private current = new Map<number, { w: number; ts: number }>();

  constructor(config: Partial<ItemCfConfig> = {}) {
    this.config = { ...DEFAULT_ITEM_CF_CONFIG, ...config };
  }

  /** One interaction. Interactions of one user must arrive together (the D1 stream is ordered by profile). */
  push(userId: string, itemId: string, ts: number, type: EventType): void {
    if (userId !== this.user) {
      this.flushUser();
      this.user = userId;
    }
    const w = this.config.eventWeights[type];
    const n = this.vocab.intern(itemId);
    const prev = this.current.get(n);
    // An item counts once per user at its strongest interaction and latest time.
    this.current.set(n, { w: Math.max(prev?.w ?? 0, w), ts: Math.max(prev?.ts ?? 0, ts) });
  }

  private flushUser(): void {
    if (this.current.size === 0) return;
    const entries = [...this.current].sort((x, y) => x[1].ts - y[1].ts).slice(-this.config.maxHistory);
    this.current = new Map();
    this.ensure(this.vocab.size);
    for (const [n, { w }] of entries) this.weight[n] += w;
    for (let i = 0; i < entries.length; i++) {
      const [a, ea] = entries[i]!;
      for (let j = i + 1; j < entries.length; j++) {
        const [b, eb] = entries[j]!;
        const w = (ea.w * eb.w) / (1 + Math.abs(eb.ts - ea.ts) / this.config.decayMs);
        if (a < b) this.pairs.add(a, b, w);
        else this.pairs.add(b, a, w);
      }
    }
  }

  private ensure(n: number): void {
    if (n <= this.weight.length) return;
    const next = new Float64Array(Math.max(n, this.weight.length * 2));
    next.set(this.weight);
    this.weight = next;
  }

  build(): ItemLists {
    this.flushUser();
    const nItems = this.vocab.size;
    this.ensure(nItems);
    const rows = groupRows((fn) => this.pairs.forEach(fn), nItems, true);
    const { alpha, k } = this.config;
    const lists: Neighbour[][] = [];
    let scores = new Float64Array(256);
    // W^alpha for the source item and W^(1-alpha) for the target, once per item rather than once per pair.
    const powA = new Float64Array(nItems);
    const powB = new Float64Array(nItems);
    for (let i = 0; i < nItems; i++) {
      powA[i] = Math.pow(this.weight[i]!, alpha);
      powB[i] = Math.pow(this.weight[i]!, 1 - alpha);
    }
    for (let a = 0; a < nItems; a++) {
      const from = rows.rowStart[a]!;
      const to = rows.rowStart[a + 1]!;
      const n = to - from;
      if (n > scores.length) scores = new Float64Array(Math.max(n, scores.length * 2));
      const s = scores;
      const wa = powA[a]!;
      for (let e = 0; e < n; e++) s[e] = rows.vals[from + e]! / (wa * powB[rows.cols[from + e]!]!);
      lists.push(topKIndices(s, k, n).map((e) => ({ itemId: this.vocab.id(rows.cols[from + e]!), score: s[e]! })));
    }
    return { items: this.vocab.list().slice(), lists };
  }
}

/** One item of a visitor's history: its strongest interaction type (or an explicit weight) and latest time (ms). */
export type HistoryEntry = { itemId: string; ts: number; type?: EventType; weight?: number };
/** A scored candidate and the history item (and that item's interaction type) that contributed most. */
export type CandidateScore = { itemId: string; score: number; from: string; fromType?: EventType };

/**
 * Scores items for one visitor's history: each history item spreads its neighbours' similarities, weighted by the
 * interaction's type and by recency (1 / (1 + age / halfLifeMs)). The reason is the history item that gave most.
 */
export function scoreHistory(
  history: readonly HistoryEntry[],
  lists: (itemId: string) => readonly Neighbour[] | undefined,
  opts: { now: number; halfLifeMs?: number; eventWeights?: Readonly<Record<EventType, number>>; k?: number },
): CandidateScore[] {
  const halfLife = opts.halfLifeMs ?? 30 * 86_400_000;
  const weights = opts.eventWeights ?? DEFAULT_EVENT_WEIGHTS;
  const acc = new Map<string, { score: number; best: number; from: string; fromType: EventType | undefined }>();
  for (const h of history) {
    const l = lists(h.itemId);
    if (!l) continue;
    // An entry without a type reads as a view (the weakest path interaction).
    const w = (h.weight ?? weights[h.type ?? "view"]) / (1 + Math.max(0, opts.now - h.ts) / halfLife);
    for (const n of l) {
      const v = n.score * w;
      const a = acc.get(n.itemId);
      if (!a) acc.set(n.itemId, { score: v, best: v, from: h.itemId, fromType: h.type });
      else {
        a.score += v;
        if (v > a.best) {
          a.best = v;
          a.from = h.itemId;
          a.fromType = h.type;
        }
      }
    }
  }
  return topKOfMap(acc, opts.k, (a) => a.score).map(([itemId, a]): CandidateScore =>
    a.fromType === undefined ? { itemId, score: a.score, from: a.from } : { itemId, score: a.score, from: a.from, fromType: a.fromType },
  );
}
