// Trending: time-decayed popularity overall and per category, as a mergeable streaming accumulator. Fed with raw
// events at retrain time, or with hourly aggregate rows between retrains (weight = the bucket's weighted count).
import { ItemVocab } from "./item-vocab";
import { topKIndices } from "./top-k";
import type { Neighbour } from "./types";

/** Trending parameters. */
export type TrendingConfig = {
  /** An event's weight halves every halfLifeMs: yesterday's purchase counts half of today's with the 1-day default. */
  halfLifeMs: number;
};

export const DEFAULT_TRENDING_CONFIG: TrendingConfig = { halfLifeMs: 86_400_000 };

/** Scores are kept relative to an anchor time; past this many half-lives they are rebased to avoid overflow. */
const REBASE_HALF_LIVES = 64;

/**
 * Decayed popularity: every push adds weight * 2^((ts - anchor) / halfLife) to the item, so the ranking at any
 * later time is the ranking of these sums (decay is a common factor) and `topK(k, now)` only rescales them.
 * Scores live in a Float64Array indexed by item number; categories are attached to items (union over pushes).
 */
export class TrendingAccumulator {
  readonly config: TrendingConfig;
  private readonly vocab = new ItemVocab();
  private scores = new Float64Array(1024);
  private readonly itemCategories: number[][] = [];
  private readonly categoryNames: string[] = [];
  private readonly categoryIndex = new Map<string, number>();
  private anchor: number | undefined;

  constructor(config: Partial<TrendingConfig> = {}) {
    this.config = { ...DEFAULT_TRENDING_CONFIG, ...config };
    if (!(this.config.halfLifeMs > 0)) throw new RangeError("halfLifeMs must be positive");
  }

  /** Items seen so far. */
  get size(): number {
    return this.vocab.size;
  }

  /** One event (or an aggregate of events at one time): item, time in ms, weight, the item's categories. */
  push(itemId: string, ts: number, weight = 1, categories: readonly string[] = []): void {
    if (!Number.isFinite(ts) || !(weight >= 0)) return;
    const n = this.vocab.intern(itemId);
    this.ensure(n + 1);
    if (this.anchor === undefined) this.anchor = ts;
    if ((ts - this.anchor) / this.config.halfLifeMs > REBASE_HALF_LIVES) this.rebase(ts);
    this.scores[n]! += weight * Math.pow(2, (ts - this.anchor) / this.config.halfLifeMs);
    if (categories.length) this.addCategories(n, categories);
  }

  /** Adds another accumulator's counts (e.g. per-shard or per-page partials); half-lives must match. */
  merge(other: TrendingAccumulator): void {
    if (other.config.halfLifeMs !== this.config.halfLifeMs) throw new RangeError("cannot merge different half-lives");
    if (other.anchor === undefined) return;
    if (this.anchor === undefined) this.anchor = other.anchor;
    if ((other.anchor - this.anchor) / this.config.halfLifeMs > REBASE_HALF_LIVES) this.rebase(other.anchor);
    const scale = Math.pow(2, (other.anchor - this.anchor) / this.config.halfLifeMs);
    for (let m = 0; m < other.vocab.size; m++) {
      const n = this.vocab.intern(other.vocab.id(m));
      this.ensure(n + 1);
      this.scores[n]! += other.scores[m]! * scale;
      const cats = other.itemCategories[m];
      if (cats) this.addCategories(n, cats.map((c) => other.categoryNames[c]!));
    }
  }

  /** The k most trending items, best first, with their decayed score at `now` (ms). */
  topK(k: number, now: number): Neighbour[] {
    const scale = this.scaleAt(now);
    return topKIndices(this.scores, k, this.vocab.size)
      .filter((n) => this.scores[n]! > 0)
      .map((n) => ({ itemId: this.vocab.id(n), score: this.scores[n]! * scale }));
  }

  /** The k most trending items of each category (or of the given categories), best first. */
  topKByCategory(k: number, now: number, only?: readonly string[]): Record<string, Neighbour[]> {
    const scale = this.scaleAt(now);
    const wanted = only ? new Set(only.map((c) => this.categoryIndex.get(c)).filter((c) => c !== undefined)) : null;
    const members: number[][] = this.categoryNames.map(() => []);
    this.itemCategories.forEach((cats, n) => {
      if (cats) for (const c of cats) if (!wanted || wanted.has(c)) members[c]!.push(n);
    });
    const out: Record<string, Neighbour[]> = {};
    const buf = new Float64Array(this.vocab.size);
    members.forEach((items, c) => {
      if (items.length === 0) return;
      for (let i = 0; i < items.length; i++) buf[i] = this.scores[items[i]!]!;
      out[this.categoryNames[c]!] = topKIndices(buf, k, items.length)
        .filter((i) => buf[i]! > 0)
        .map((i) => ({ itemId: this.vocab.id(items[i]!), score: buf[i]! * scale }));
    });
    return out;
  }

  private scaleAt(now: number): number {
    return this.anchor === undefined ? 0 : Math.pow(2, (this.anchor - now) / this.config.halfLifeMs);
  }

  private rebase(to: number): void {
    const scale = Math.pow(2, (this.anchor! - to) / this.config.halfLifeMs);
    for (let n = 0; n < this.vocab.size; n++) this.scores[n]! *= scale;
    this.anchor = to;
  }

  private addCategories(n: number, categories: readonly string[]): void {
    const list = (this.itemCategories[n] ??= []);
    for (const name of categories) {
      let c = this.categoryIndex.get(name);
      if (c === undefined) {
        c = this.categoryNames.length;
        this.categoryIndex.set(name, c);
        this.categoryNames.push(name);
      }
      if (!list.includes(c)) list.push(c);
    }
  }

  private ensure(n: number): void {
    if (n <= this.scores.length) return;
    const next = new Float64Array(Math.max(n, this.scores.length * 2));
    next.set(this.scores);
    this.scores = next;
  }
}
