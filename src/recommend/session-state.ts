// The bounded, time-ordered item path of one live session. Used by the SessionDO and by the offline evaluation,
// so both feed the scorer exactly the same path.

export const DEFAULT_MAX_PATH = 50;

export class SessionState {
  private readonly items: string[] = [];
  private readonly times: number[] = [];

  /** @param maxLength steps kept; older steps fall off the front (the scorer only weights recent steps anyway). */
  constructor(private readonly maxLength: number = DEFAULT_MAX_PATH) {
    if (!(maxLength >= 1)) throw new RangeError("maxLength must be >= 1");
  }

  /** Appends one step. A late event (ts before the last one) is inserted in time order, after equal times. */
  push(itemId: string, ts: number): void {
    let at = this.times.length;
    while (at > 0 && this.times[at - 1] > ts) at--;
    this.items.splice(at, 0, itemId);
    this.times.splice(at, 0, ts);
    if (this.items.length > this.maxLength) {
      const drop = this.items.length - this.maxLength;
      this.items.splice(0, drop);
      this.times.splice(0, drop);
    }
  }

  /** The path, oldest first. A copy: callers may keep it while the session moves on. */
  path(): string[] {
    return this.items.slice();
  }

  get length(): number {
    return this.items.length;
  }

  get lastTs(): number | undefined {
    return this.times.length ? this.times[this.times.length - 1] : undefined;
  }
}
