import { describe, expect, it } from "vitest";
import { TrendingAccumulator } from "../../../src/recommend/trending";

const DAY = 86_400_000;

describe("TrendingAccumulator", () => {
  it("halves an event's weight every half-life, so recent activity outranks older, larger activity", () => {
    const t = new TrendingAccumulator({ halfLifeMs: DAY });
    for (let i = 0; i < 3; i++) t.push("old", 0, 1); // 3 events two days ago: worth 0.75 now
    t.push("new", 2 * DAY, 1); // 1 event now
    const top = t.topK(10, 2 * DAY);
    expect(top.map((n) => n.itemId)).toEqual(["new", "old"]);
    expect(top[0]!.score).toBeCloseTo(1);
    expect(top[1]!.score).toBeCloseTo(0.75);
    // Asking a day later scales every score by one half and keeps the order.
    expect(t.topK(10, 3 * DAY).map((n) => n.score)).toEqual([expect.closeTo(0.5), expect.closeTo(0.375)]);
  });

  it("ranks per category, with items in several categories listed in each", () => {
    const t = new TrendingAccumulator();
    t.push("boot", 0, 5, ["shoes"]);
    t.push("sandal", 0, 2, ["shoes", "summer"]);
    t.push("hat", 0, 3, ["summer"]);
    t.push("lamp", 0, 9); // no category: only in the overall list
    const byCat = t.topKByCategory(1, 0);
    expect(byCat).toEqual({ shoes: [{ itemId: "boot", score: 5 }], summer: [{ itemId: "hat", score: 3 }] });
    expect(t.topKByCategory(5, 0, ["summer"]).summer!.map((n) => n.itemId)).toEqual(["hat", "sandal"]);
    expect(t.topK(1, 0)[0]!.itemId).toBe("lamp");
  });

  it("merges partial accumulators into the same scores as one accumulator over all events", () => {
    const events: [string, number, number][] = [["a", 0, 1], ["b", DAY, 2], ["a", 3 * DAY, 1], ["c", 5 * DAY, 1], ["b", 6 * DAY, 1]];
    const whole = new TrendingAccumulator({ halfLifeMs: 2 * DAY });
    const left = new TrendingAccumulator({ halfLifeMs: 2 * DAY });
    const right = new TrendingAccumulator({ halfLifeMs: 2 * DAY });
    events.forEach(([id, ts, w], i) => {
      whole.push(id, ts, w, ["x"]);
      (i % 2 ? left : right).push(id, ts, w, ["x"]);
    });
    left.merge(right);
    const now = 7 * DAY;
    const a = whole.topK(10, now);
    const b = left.topK(10, now);
    expect(b.map((n) => n.itemId)).toEqual(a.map((n) => n.itemId));
    b.forEach((n, i) => expect(n.score).toBeCloseTo(a[i]!.score, 12));
    expect(left.topKByCategory(10, now).x!.map((n) => n.itemId)).toEqual(a.map((n) => n.itemId));
  });

  it("stays finite over hundreds of half-lives (rebases its anchor)", () => {
    const t = new TrendingAccumulator({ halfLifeMs: 1000 });
    t.push("a", 0, 1);
    t.push("b", 2_000_000, 1); // 2,000 half-lives later
    const top = t.topK(2, 2_000_000);
    expect(top[0]).toEqual({ itemId: "b", score: 1 });
    expect(Number.isFinite(top[1]?.score ?? 0)).toBe(true);
  });
});
