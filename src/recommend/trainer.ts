// The session model's public training API: stream sessions (or live steps, or other nodes' statistics) in, build
// the per-item lists out. Wraps the statistics accumulator and the pure build step.
import { buildModel, DEFAULT_BUILD_CONFIG, type BuildConfig } from "./build-model";
import { DEFAULT_COUNT_CONFIG, SessionStatsAccumulator, type CountConfig, type SessionStats } from "./session-stats";
import type { SessionModel } from "./types";

export type SessionModelConfig = { count: CountConfig; build: BuildConfig };

export const DEFAULT_MODEL_CONFIG: SessionModelConfig = { count: DEFAULT_COUNT_CONFIG, build: DEFAULT_BUILD_CONFIG };

export class SessionModelTrainer {
  readonly config: SessionModelConfig;
  private readonly acc: SessionStatsAccumulator;

  constructor(config: { count?: Partial<CountConfig>; build?: Partial<BuildConfig> } = {}) {
    this.config = {
      count: { ...DEFAULT_COUNT_CONFIG, ...config.count },
      build: { ...DEFAULT_BUILD_CONFIG, ...config.build },
    };
    this.acc = new SessionStatsAccumulator(this.config.count);
  }

  /** Counts one whole session, item ids oldest first. */
  pushSession(items: readonly string[]): void {
    this.acc.pushSession(items);
  }

  /** Counts one new step of a live session (`item` appended after `prefix`); same sums as pushSession. */
  pushStep(prefix: readonly string[], item: string): void {
    this.acc.pushStep(prefix, item);
  }

  /** Adds statistics exported by another trainer (or persisted earlier) to these. */
  mergeStats(stats: SessionStats): void {
    this.acc.merge(stats);
  }

  /** The sufficient statistics as plain data (what production persists). */
  stats(): SessionStats {
    return this.acc.stats();
  }

  get sessions(): number {
    return this.acc.sessions;
  }

  /** How much is held: items, distinct after-pairs and with-pairs (the memory drivers, ~20-40 bytes a pair). */
  get size(): { items: number; afterPairs: number; withPairs: number } {
    return { items: this.acc.vocab.size, afterPairs: this.acc.after.size, withPairs: this.acc.with.size };
  }

  /** Pairs the bounded pair tables dropped (0 until a table reaches its slot budget, TRAINING_PAIR_SLOTS). */
  get pruned(): number {
    return this.acc.after.pruned + this.acc.with.pruned;
  }

  /** Builds per-item lists from the statistics so far; training may continue afterwards. */
  build(): SessionModel {
    return buildModel(this.acc, this.config.build);
  }
}
