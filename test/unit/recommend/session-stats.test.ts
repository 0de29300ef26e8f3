import { describe, expect, it } from "vitest";
import { SessionStatsAccumulator, type PairArrays, type SessionStats } from "../../../src/recommend/session-stats";

/** Stats keyed by item strings, so accumulators with different interning orders compare equal. */
function canonical(s: SessionStats) {
  const pairs = (p: PairArrays, symmetric: boolean) => {
    const m: Record<string, number> = {};
    for (let e = 0; e < p.a.length; e++) {
      let [x, y] = [s.items[p.a[e]], s.items[p.b[e]]];
      if (symmetric && y < x) [x, y] = [y, x];
      m[`${x}>${y}`] = Math.round(p.w[e] * 1e9) / 1e9;
    }
    return m;
  };
  const per = (v: Float64Array) => Object.fromEntries(s.items.map((id, i) => [id, v[i]]));
  return { sessions: s.sessions, events: per(s.itemEvents), inSessions: per(s.itemSessions), after: pairs(s.after, false), with: pairs(s.with, true) };
}

const SESSIONS = [
  ["a", "b", "c"],
  ["a", "x", "b", "a"],
  ["c", "c", "d", "a", "b", "c", "e", "f", "g", "h", "i", "j", "k", "l", "c"],
  ["z"],
];

describe("SessionStatsAccumulator", () => {
  it("counts sequential rules with 1/distance within afterSteps", () => {
    const acc = new SessionStatsAccumulator({ afterSteps: 2 });
    acc.pushSession(["a", "b", "c", "d"]);
    const c = canonical(acc.stats());
    expect(c.after).toEqual({ "a>b": 1, "a>c": 0.5, "b>c": 1, "b>d": 0.5, "c>d": 1 });
  });

  it("counts each co-occurring pair once per session at its closest distance", () => {
    const acc = new SessionStatsAccumulator({ withWindow: 10, withDecay: 0.5 });
    acc.pushSession(["a", "x", "b", "a"]);
    const c = canonical(acc.stats());
    // a-b: distance 2 first, then 1 when a returns: the total is the weight at distance 1.
    expect(c.with["a>b"]).toBeCloseTo(1, 9);
    expect(c.with["a>x"]).toBeCloseTo(1, 9);
    expect(c.with["b>x"]).toBeCloseTo(1, 9);
    expect(c.with["a>a"]).toBeUndefined();
  });

  it("weights co-occurrence by distance and ignores pairs beyond the window", () => {
    const acc = new SessionStatsAccumulator({ withWindow: 2, withDecay: 1 });
    acc.pushSession(["a", "b", "c", "d"]);
    const c = canonical(acc.stats());
    expect(c.with).toEqual({ "a>b": 1, "a>c": 0.5, "b>c": 1, "b>d": 0.5, "c>d": 1 });
  });

  it("counts item events, sessions containing the item, and sessions", () => {
    const acc = new SessionStatsAccumulator();
    for (const s of SESSIONS) acc.pushSession(s);
    const c = canonical(acc.stats());
    expect(c.sessions).toBe(4);
    expect(c.events.a).toBe(4);
    expect(c.inSessions.a).toBe(3);
    expect(c.events.c).toBe(5);
    expect(c.inSessions.c).toBe(2);
  });

  it("gives the same statistics step by step as session by session", () => {
    const whole = new SessionStatsAccumulator({ withWindow: 5 });
    const steps = new SessionStatsAccumulator({ withWindow: 5 });
    for (const s of SESSIONS) {
      whole.pushSession(s);
      for (let t = 0; t < s.length; t++) steps.pushStep(s.slice(0, t), s[t]);
    }
    expect(canonical(steps.stats())).toEqual(canonical(whole.stats()));
  });

  it("merges by addition: split training equals one run", () => {
    const all = new SessionStatsAccumulator();
    for (const s of [...SESSIONS, ...SESSIONS.slice(0, 2)]) all.pushSession(s);
    const left = new SessionStatsAccumulator();
    const right = new SessionStatsAccumulator();
    for (const s of SESSIONS.slice(2)) left.pushSession(s); // different interning order than `all`
    for (const s of [...SESSIONS.slice(0, 2), ...SESSIONS.slice(0, 2)]) right.pushSession(s);
    left.merge(right.stats());
    expect(canonical(left.stats())).toEqual(canonical(all.stats()));
  });

  it("refuses to merge statistics counted differently", () => {
    const a = new SessionStatsAccumulator({ afterSteps: 5 });
    const b = new SessionStatsAccumulator({ afterSteps: 10 });
    expect(() => a.merge(b.stats())).toThrow(/different config/);
  });
});
