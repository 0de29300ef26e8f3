import { describe, expect, it } from "vitest";
import { evaluate, leaveLastOut, train, TUNE_FOLDS } from "../../../scripts/eval/protocol-users";
import { validationDay } from "../../../scripts/eval/tune-session-blend";
import type { UserHistory } from "../../../scripts/eval/read-users";

const quiet = () => {};
const user = (id: string, items: string[]): UserHistory => ({ user: id, items, times: items.map((_, i) => i + 1) });

describe("protocol 2 rows", () => {
  // Histories after leave-last-out: u1 a,b,c → d; u2 a,b → d; u3 b,c → a; u4 c,e → a.
  // Popularity over the histories: b 3, c 3, a 2, e 1 (ties by id), so POP ranks b, c, a, e.
  const users = [user("u1", ["a", "b", "c", "d"]), user("u2", ["a", "b", "d"]), user("u3", ["b", "c", "a"]), user("u4", ["c", "e", "a"]), user("u5", ["a", "b"])];

  it("POP ranks every item not in the history: hand-computed HR, MRR, NDCG and coverage", () => {
    const split = leaveLastOut(users);
    expect(split.histories.map((h) => h.user)).toEqual(["u1", "u2", "u3", "u4"]); // u5 has only 2 interactions
    const [pop] = evaluate(split, train(split.histories, new Map(), quiet), {}, ["POP"]);
    // u1 gets [e] (d unknown): miss. u2 gets [c, e]: miss. u3 gets [a, e]: rank 1. u4 gets [b, a]: rank 2.
    const m = pop!.metrics[0]!;
    expect(m.k).toBe(10);
    expect(pop!.predictions).toBe(4);
    expect(m.hr).toBeCloseTo(2 / 4);
    expect(m.mrr).toBeCloseTo((1 + 1 / 2) / 4);
    expect(m.ndcg).toBeCloseTo((1 + 1 / Math.log2(3)) / 4);
    expect(m.coverage).toBe(4); // a, b, c, e were all recommended to someone
    expect(pop!.catalog).toBe(4);
  });

  it("never recommends an item from the user's own history", () => {
    const split = leaveLastOut(users);
    const t = train(split.histories, new Map([["a", ["x"]], ["b", ["x"]], ["c", ["y"]], ["d", ["y"]], ["e", ["x"]]]), quiet);
    for (const row of evaluate(split, t, {}, ["item-kNN", "session model on history only", "blend"])) expect(row.predictions).toBe(4);
  });

  it("tunes on folds that hold out earlier items, never the test targets", () => {
    for (const drop of TUNE_FOLDS) {
      const fold = leaveLastOut(users, drop);
      for (const h of fold.histories) {
        const all = users.find((u) => u.user === h.user)!.items;
        expect(fold.targets.get(h.user)).toBe(all[all.length - 1 - drop]);
        expect(h.items).not.toContain(all[all.length - 1]);
      }
    }
  });
});

describe("session blend tuning split", () => {
  it("takes train's last day as validation and trains on the sessions before it", () => {
    const day = 86_400;
    const s = (id: string, items: string[], t: number) => ({ id, items, times: items.map((_, i) => t + i) });
    const { train: head, valid } = validationDay([s("old", ["a", "b"], 0), s("mid", ["b", "c"], day), s("new", ["a", "b", "z"], 3 * day)]);
    expect(head.map((x) => x.id)).toEqual(["old", "mid"]);
    // "z" is unknown to the validation train part and is dropped, as in an explicit split.
    expect(valid).toEqual([{ id: "new", items: ["a", "b"], times: [3 * day, 3 * day + 1] }]);
  });
});
