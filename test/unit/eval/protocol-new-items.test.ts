import { describe, expect, it } from "vitest";
import { MARKOV, POP, SR, type Algorithm } from "../../../scripts/eval/algorithms";
import { countPredictions, KS, runSessionProtocol, SESSION_PROTOCOLS } from "../../../scripts/eval/protocol-sessions";
import { formatJson, formatTable } from "../../../scripts/eval/report";
import type { Session } from "../../../scripts/eval/sessions";
import { seededRandom } from "../../../src/recommend/random";

const sess = (id: string, items: string[]): Session => ({ id, items, times: items.map((_, i) => i) });

/** Random sessions over a small catalog, so repeats (adjacent and not) are common. */
function generate(seed: number, n: number, catalog: number): Session[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, s) => {
    const len = 2 + Math.floor(rnd() * 8);
    const items: string[] = [];
    for (let t = 0; t < len; t++) items.push(rnd() < 0.3 && t > 0 ? items[Math.floor(rnd() * t)] : `i${Math.floor(rnd() * catalog)}`);
    return { id: `s${seed}-${s}`, items, times: items.map((_, t) => s * 100 + t) };
  });
}

/**
 * A recommender that knows the test sessions: for a prefix it ranks every distinct prefix item first (newest
 * first), then the true next item, then the rest of the catalog. It records what it was asked for.
 */
function cheat(test: readonly Session[], catalog: readonly string[], asked: { path: string[]; k: number }[]): Algorithm {
  return {
    name: "cheat",
    train: () => ({
      recommend(path, k) {
        asked.push({ path: [...path], k });
        const s = test.find((x) => x.items.length > path.length && path.every((it, i) => x.items[i] === it));
        const next = s ? [s.items[path.length]] : [];
        const ranked = [...new Set([...[...path].reverse(), ...next, ...catalog])];
        return ranked.slice(0, k);
      },
    }),
  };
}

describe("new-items protocol (EVAL.md 1b)", () => {
  it("skips targets already in the prefix and counts the others", () => {
    const train = [sess("1", ["a", "b", "c"])];
    // t1's targets: b (new), a (repeat of position 0), c (new), c (repeat of the last item); t2's: c (new).
    const test = [sess("t1", ["a", "b", "a", "c", "c"]), sess("t2", ["b", "c"])];
    const rows = runSessionProtocol([POP], train, test, { protocols: SESSION_PROTOCOLS });
    expect(rows.map((r) => [r.name, r.protocol, r.predictions])).toEqual([
      ["POP", "standard", 5],
      ["POP", "new-items", 3],
    ]);
    expect(countPredictions(test)).toEqual({ standard: 5, "new-items": 3 });
  });

  it("counts, on generated sessions, exactly the positions whose target is not in the prefix", () => {
    const train = generate(1, 60, 15);
    const test = generate(2, 40, 15);
    let expected = 0;
    let repeats = 0;
    for (const s of test) for (let t = 1; t < s.items.length; t++) (s.items.slice(0, t).includes(s.items[t]) ? repeats++ : expected++);
    expect(repeats).toBeGreaterThan(0);
    const rows = runSessionProtocol([POP, MARKOV, SR], train, test, { protocols: SESSION_PROTOCOLS });
    for (const r of rows) expect(r.predictions).toBe(r.protocol === "standard" ? expected + repeats : expected);
  });

  it("removes prefix items before the cut at k, so a new target ranked after them is a hit at rank 1", () => {
    // 25 distinct items, so the prefix alone fills more than the top 20 by the end of the session.
    const long = Array.from({ length: 25 }, (_, i) => `p${i}`);
    const test = [sess("t", long), sess("u", ["a", "b", "a", "c"])];
    const catalog = [...long, "a", "b", "c", "z"];
    const asked: { path: string[]; k: number }[] = [];
    const rows = runSessionProtocol([cheat(test, catalog, asked)], [sess("1", catalog)], test, { protocols: SESSION_PROTOCOLS });
    const [standard, fresh] = rows;
    expect(fresh.protocol).toBe("new-items");
    expect(fresh.predictions).toBe(24 + 2);
    for (const m of fresh.metrics) {
      expect(m.hr).toBe(1);
      expect(m.mrr).toBe(1);
      expect(m.ndcg).toBe(1);
    }
    // The standard protocol keeps the prefix in the ranking: the target sits behind it, and past rank 20 it misses.
    const at20 = standard.metrics.find((m) => m.k === 20)!;
    expect(at20.hr).toBeLessThan(1);
    expect(at20.mrr).toBeLessThan(0.5);
    // The new-items ranking asked for k plus one slot per distinct prefix item.
    const maxK = Math.max(...KS);
    const freshAsks = asked.filter((a) => a.k !== maxK);
    expect(freshAsks.length).toBeGreaterThan(0);
    for (const a of freshAsks) expect(a.k).toBe(maxK + new Set(a.path).size);
  });

  it("leaves the standard rows as they were and reports both protocols in the table and the JSON", () => {
    const train = generate(3, 80, 12);
    const test = generate(4, 30, 12);
    const alone = runSessionProtocol([POP, MARKOV], train, test);
    const both = runSessionProtocol([POP, MARKOV], train, test, { protocols: SESSION_PROTOCOLS });
    expect(alone.every((r) => r.protocol === "standard")).toBe(true);
    expect(both.slice(0, 2).map((r) => [r.name, r.metrics, r.predictions])).toEqual(alone.map((r) => [r.name, r.metrics, r.predictions]));
    expect(both.slice(2).map((r) => r.protocol)).toEqual(["new-items", "new-items"]);
    const table = formatTable(both);
    expect(table).toMatch(/Protocol 1, next item/);
    expect(table).toMatch(/Protocol 1b, new items only/);
    const json = formatJson(both).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json.map((j) => j.protocol)).toEqual(["standard", "standard", "new-items", "new-items"]);
    expect(json.every((j) => typeof j["hr@20"] === "number" && typeof j["mrr@20"] === "number")).toBe(true);
  });

  it("prints a model's notes once under both tables, and protocol-less rows (protocol 2) as one untitled table", () => {
    const noted: Algorithm = { name: "noted", train: () => ({ recommend: () => ["a"], notes: { artifactBytes: 123 } }) };
    const rows = runSessionProtocol([noted], generate(7, 10, 5), generate(8, 5, 5), { protocols: SESSION_PROTOCOLS });
    expect(formatTable(rows).match(/artifactBytes=123/g)).toHaveLength(1);
    const users = rows.map(({ protocol: _p, notes: _n, ...rest }) => rest).slice(0, 1);
    const table = formatTable(users);
    expect(table.startsWith("algorithm")).toBe(true);
    expect(JSON.parse(formatJson(users))).not.toHaveProperty("protocol");
  });

  it("new-items metrics never fall below what the same ranking scores with repeats skipped but not removed", () => {
    // Removing seen items can only move an unseen target up, so for every algorithm HR/MRR on 1b are at least the
    // standard ranking's figures restricted to the same (new-target) predictions.
    const train = generate(5, 100, 20);
    const test = generate(6, 40, 20);
    for (const alg of [POP, MARKOV, SR]) {
      const rec = alg.train(train);
      let plain = 0;
      let preds = 0;
      for (const s of test) {
        for (let t = 1; t < s.items.length; t++) {
          if (s.items.slice(0, t).includes(s.items[t])) continue;
          preds++;
          const r = rec.recommend(s.items.slice(0, t), 20).indexOf(s.items[t]) + 1;
          if (r > 0) plain += 1 / r;
        }
      }
      const fresh = runSessionProtocol([alg], train, test, { protocols: ["new-items"] })[0];
      expect(fresh.predictions).toBe(preds);
      expect(fresh.metrics[0].mrr * preds).toBeGreaterThanOrEqual(plain - 1e-9);
    }
  });
});
