import { describe, expect, it } from "vitest";
import { decodeStats, encodeStats } from "../../../src/models/stats-codec";
import { bucketOf, liveStepRows, rowsToStats, statsToRows, BUCKET_MS } from "../../../src/models/stats-delta";
import { parseDeltaBody, stepsBody } from "../../../src/models/flush-body";
import { DEFAULT_COUNT_CONFIG, SessionStatsAccumulator, type SessionStats } from "../../../src/recommend/session-stats";

const cfg = DEFAULT_COUNT_CONFIG;

/** Statistics as a map "kind|a|b" → weight, for order-free comparison. */
function flat(stats: SessionStats): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of statsToRows(stats, 0)) m.set(`${r.kind}|${r.a}|${r.b}`, (m.get(`${r.kind}|${r.a}|${r.b}`) ?? 0) + r.w);
  return m;
}

function expectSame(a: SessionStats, b: SessionStats): void {
  const fa = flat(a);
  const fb = flat(b);
  expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
  for (const [k, v] of fa) expect(fb.get(k)).toBeCloseTo(v, 9);
}

describe("statistic deltas", () => {
  it("live steps flushed as rows and merged back equal counting the whole sessions", () => {
    const sessions = [
      ["a", "b", "c", "b", "d"],
      ["b", "c", "c", "e"],
      ["x"],
    ];
    const whole = new SessionStatsAccumulator(cfg);
    for (const s of sessions) whole.pushSession(s);

    const merged = new SessionStatsAccumulator(cfg);
    const t0 = 10 * BUCKET_MS;
    for (const s of sessions) {
      // Arrives in two batches, the second an hour later (another bucket).
      const steps = s.map((itemId, i) => ({ itemId, ts: t0 + (i >= 2 ? BUCKET_MS : 0) + i }));
      const rows = [...liveStepRows([], steps.slice(0, 2), cfg), ...liveStepRows(steps.slice(0, 2), steps.slice(2), cfg)];
      merged.merge(rowsToStats(rows, cfg));
    }
    expectSame(whole.stats(), merged.stats());
  });

  it("a session flushed as step bodies (the path before each) and counted by the retrain equals counting it whole", () => {
    const items = ["a", "b", "a", "c", "b", "d", "a"];
    const steps = items.map((itemId, i) => ({ itemId, ts: 3 * BUCKET_MS + i }));
    const whole = new SessionStatsAccumulator(cfg);
    whole.pushSession(items);
    const merged = new SessionStatsAccumulator(cfg);
    for (const [from, to] of [[0, 3], [3, 5], [5, 7]] as const) {
      merged.merge(rowsToStats(parseDeltaBody(stepsBody(steps.slice(0, from), steps.slice(from, to)), cfg), cfg));
    }
    expectSame(whole.stats(), merged.stats());
    // A body from before v2 (the counted rows as tuples) reads back as those rows.
    expect(parseDeltaBody(JSON.stringify([["after", "a", "b", 3, 1]]), cfg)).toEqual([{ kind: "after", a: "a", b: "b", bucket: 3, w: 1 }]);
  });

  it("tags rows with the hour of each step", () => {
    const rows = liveStepRows([], [{ itemId: "a", ts: 5 * BUCKET_MS + 1 }, { itemId: "b", ts: 6 * BUCKET_MS + 1 }], cfg);
    expect(new Set(rows.filter((r) => r.a === "b" || r.b === "b").map((r) => r.bucket))).toEqual(new Set([6]));
    expect(rows.find((r) => r.kind === "n")?.bucket).toBe(5);
    expect(bucketOf(BUCKET_MS - 1)).toBe(0);
  });

  it("round-trips statistics through the binary snapshot", () => {
    const acc = new SessionStatsAccumulator(cfg);
    acc.pushSession(["ünï", "b", "c", "b"]);
    acc.pushSession(["c", "d"]);
    const stats = acc.stats();
    const bytes = encodeStats(stats);
    const back = decodeStats(bytes.slice()); // a copy at offset 0
    expect(back.items).toEqual(stats.items);
    expect(back.sessions).toBe(2);
    expectSame(stats, back);
    // Decoding from an unaligned view works too.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expectSame(stats, decodeStats(shifted.subarray(3)));
    expect(() => decodeStats(new Uint8Array(16))).toThrow(/not a statistics snapshot/);
  });
});
