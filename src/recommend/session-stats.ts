// The session model's sufficient statistics as a streaming accumulator: every number is a sum over sessions, so
// two accumulators merge by addition and a live session's new step is counted in without revisiting old data.
import { ItemVocab } from "./item-vocab";
import { PairTable, type PairRows } from "./pair-table";

/** How steps are counted. Fixed for the life of a set of statistics (merging needs equal configs). */
export type CountConfig = {
  /** Sequential rules: b after a within this many steps adds 1/distance to after(a, b). */
  afterSteps: number;
  /** Co-occurrence: a and b at most this many steps apart in a session count as viewed together. */
  withWindow: number;
  /** Co-occurrence weight at distance d is 1 / d^withDecay (0 = plain session co-occurrence). */
  withDecay: number;
};

// Tuned on the yoochoose validation day (docs/model.md): distance damping helps, windows past 20 add nothing.
export const DEFAULT_COUNT_CONFIG: CountConfig = { afterSteps: 10, withWindow: 20, withDecay: 0.5 };

/** Plain-data export of the statistics (what production persists and merges). Pairs are parallel arrays. */
export type SessionStats = {
  config: CountConfig;
  sessions: number;
  items: string[];
  /** Events per item. */
  itemEvents: Float64Array;
  /** Sessions containing the item at least once (for idf). */
  itemSessions: Float64Array;
  after: PairArrays;
  /** Unordered: stored once with a < b. */
  with: PairArrays;
};

export type PairArrays = { a: Uint32Array; b: Uint32Array; w: Float64Array };

/** Accumulates the counts; buildModel() reads it directly (it is a StatsSource) to make the per-item lists. */
export class SessionStatsAccumulator {
  readonly config: CountConfig;
  readonly vocab = new ItemVocab();
  sessions = 0;
  private events = new Float64Array(1024);
  private inSessions = new Float64Array(1024);
  readonly after = new PairTable(4096);
  readonly with = new PairTable(4096);

  constructor(config: Partial<CountConfig> = {}) {
    this.config = { ...DEFAULT_COUNT_CONFIG, ...config };
  }

  /** Counts a whole session (ordered item ids), exactly as if its steps were pushed one by one. */
  pushSession(items: readonly string[]): void {
    const nums = items.map((id) => this.vocab.intern(id));
    for (let n = 0; n < nums.length; n++) this.countStep(nums, n);
  }

  /**
   * Counts one new step of a live session: `item` appended after `prefix` (the session's path so far, oldest
   * first). Calling this for each step of a session gives the same statistics as pushSession.
   */
  pushStep(prefix: readonly string[], item: string): void {
    const nums = prefix.map((id) => this.vocab.intern(id));
    nums.push(this.vocab.intern(item));
    this.countStep(nums, nums.length - 1);
  }

  /** Adds the other statistics to these (item ids are matched by string). Configs must be equal. */
  merge(stats: SessionStats): void {
    const c = stats.config;
    if (c.afterSteps !== this.config.afterSteps || c.withWindow !== this.config.withWindow || c.withDecay !== this.config.withDecay) {
      throw new Error("cannot merge statistics counted with a different config");
    }
    const map = stats.items.map((id) => this.vocab.intern(id));
    this.ensureItems(this.vocab.size);
    this.sessions += stats.sessions;
    for (let i = 0; i < map.length; i++) {
      this.events[map[i]] += stats.itemEvents[i];
      this.inSessions[map[i]] += stats.itemSessions[i];
    }
    for (let e = 0; e < stats.after.a.length; e++) this.after.add(map[stats.after.a[e]], map[stats.after.b[e]], stats.after.w[e]);
    for (let e = 0; e < stats.with.a.length; e++) this.addWith(map[stats.with.a[e]], map[stats.with.b[e]], stats.with.w[e]);
  }

  /** A plain-data copy of the statistics. */
  stats(): SessionStats {
    const n = this.vocab.size;
    return {
      config: { ...this.config },
      sessions: this.sessions,
      items: this.vocab.list().slice(),
      itemEvents: this.events.slice(0, n),
      itemSessions: this.inSessions.slice(0, n),
      after: toArrays(this.after),
      with: toArrays(this.with),
    };
  }

  get items(): readonly string[] {
    return this.vocab.list();
  }

  /** Events per item number (the array may be longer than the vocabulary). */
  get itemEvents(): ArrayLike<number> {
    return this.events;
  }

  /** Sessions containing each item number. */
  get itemSessions(): ArrayLike<number> {
    return this.inSessions;
  }

  afterRows(): PairRows {
    return this.after.rows(this.vocab.size);
  }

  withRows(): PairRows {
    return this.with.rows(this.vocab.size, true);
  }

  private countStep(nums: readonly number[], n: number): void {
    const x = nums[n];
    this.ensureItems(this.vocab.size);
    if (n === 0) this.sessions++;
    this.events[x]++;
    let seenBefore = false;
    for (let p = 0; p < n; p++) if (nums[p] === x) seenBefore = true;
    if (!seenBefore) this.inSessions[x]++;

    for (let d = 1; d <= Math.min(this.config.afterSteps, n); d++) this.after.add(nums[n - d], x, 1 / d);

    // Co-occurrence counts each distinct pair once per session at its closest distance. When x comes back
    // closer to y than before, only the difference is added, so step-by-step counting stays additive.
    const lo = Math.max(0, n - this.config.withWindow);
    const done = new Set<number>();
    for (let p = n - 1; p >= lo; p--) {
      const y = nums[p];
      if (y === x || done.has(y)) continue;
      done.add(y);
      const dNew = n - p;
      const dOld = seenBefore ? closestDistance(nums, n, x, y) : Infinity;
      if (dNew >= dOld) continue;
      const w = this.withWeight(dNew) - (dOld <= this.config.withWindow ? this.withWeight(dOld) : 0);
      this.addWith(x, y, w);
    }
  }

  private withWeight(d: number): number {
    return this.config.withDecay === 0 ? 1 : 1 / Math.pow(d, this.config.withDecay);
  }

  private addWith(x: number, y: number, w: number): void {
    if (x < y) this.with.add(x, y, w);
    else this.with.add(y, x, w);
  }

  private ensureItems(n: number): void {
    if (n <= this.events.length) return;
    let cap = this.events.length;
    while (cap < n) cap *= 2;
    const ev = new Float64Array(cap);
    ev.set(this.events);
    const se = new Float64Array(cap);
    se.set(this.inSessions);
    this.events = ev;
    this.inSessions = se;
  }
}

/** Smallest |i - j| with nums[i], nums[j] in {x, y} (one each) among positions before `end`; Infinity if none. */
function closestDistance(nums: readonly number[], end: number, x: number, y: number): number {
  let best = Infinity;
  let lastX = -1;
  let lastY = -1;
  for (let p = 0; p < end; p++) {
    if (nums[p] === x) {
      lastX = p;
      if (lastY >= 0) best = Math.min(best, p - lastY);
    } else if (nums[p] === y) {
      lastY = p;
      if (lastX >= 0) best = Math.min(best, p - lastX);
    }
  }
  return best;
}

function toArrays(t: PairTable): PairArrays {
  const a = new Uint32Array(t.size);
  const b = new Uint32Array(t.size);
  const w = new Float64Array(t.size);
  let i = 0;
  t.forEach((x, y, v) => {
    a[i] = x;
    b[i] = y;
    w[i++] = v;
  });
  return { a, b, w };
}
