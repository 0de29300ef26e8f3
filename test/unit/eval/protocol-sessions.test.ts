import { describe, expect, it } from "vitest";
import { MARKOV, POP, sessionModel, type Algorithm } from "../../../scripts/eval/algorithms";
import { runSessionProtocol } from "../../../scripts/eval/protocol-sessions";
import { parseEvalArgs } from "../../../scripts/eval/args";
import { formatJson, formatTable } from "../../../scripts/eval/report";
import type { Session } from "../../../scripts/eval/sessions";

const sess = (id: string, items: string[]): Session => ({ id, items, times: items.map((_, i) => i) });

describe("runSessionProtocol", () => {
  const train = [sess("1", ["a", "b", "c"]), sess("2", ["a", "b"]), sess("3", ["b", "c"]), sess("4", ["d", "d"])];
  const test = [sess("t1", ["a", "b", "c"]), sess("t2", ["d", "a"])];

  it("predicts every position >= 1 of every test session", () => {
    const [pop, markov] = runSessionProtocol([POP, MARKOV], train, test);
    expect(pop.predictions).toBe(3);
    expect(markov.predictions).toBe(3);
    // Markov: a→b (rank 1), b→c (rank 1), d→a (d's only successor is d; a is back-filled by popularity, rank 3).
    expect(markov.metrics[0].hr).toBe(1);
    expect(markov.metrics[0].mrr).toBeCloseTo((1 + 1 + 1 / 3) / 3, 12);
  });

  it("feeds prefixes through the session state, oldest first", () => {
    const seen: string[][] = [];
    const spy: Algorithm = { name: "spy", train: () => ({ recommend: (path) => (seen.push([...path]), []) }) };
    runSessionProtocol([spy], train, [sess("t", ["a", "b", "c"])]);
    expect(seen).toEqual([["a"], ["a", "b"]]);
  });

  it("adds online rows that learn revealed events, without changing the static row", () => {
    const alg = sessionModel({ name: "m" });
    const rows = runSessionProtocol([alg], train, test, { online: true });
    expect(rows.map((r) => r.name)).toEqual(["m", "m (online)"]);
    expect(rows[0].predictions).toBe(rows[1].predictions);
    expect(formatTable(rows)).toMatch(/m \(online\)/);
    const json = formatJson(rows).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json[0]).toMatchObject({ name: "m", predictions: 3 });
    expect(typeof json[0]["hr@20"]).toBe("number");
    expect(typeof json[0]["mrr@10"]).toBe("number");
  });
});

describe("parseEvalArgs", () => {
  it("accepts the two input modes and rejects mixtures", () => {
    expect(parseEvalArgs(["--train", "a", "--test", "b"])).toMatchObject({ train: "a", test: "b", protocol: "sessions" });
    expect(parseEvalArgs(["--input", "x", "--test-days", "2", "--json"])).toMatchObject({ input: "x", testDays: 2, json: true });
    expect(parseEvalArgs(["--train", "a", "--test", "b"])).toMatchObject({ graph: false });
    expect(parseEvalArgs(["--train", "a", "--test", "b", "--graph"])).toMatchObject({ graph: true });
    expect(() => parseEvalArgs(["--train", "a"])).toThrow(/go together/);
    expect(() => parseEvalArgs(["--train", "a", "--test", "b", "--input", "c"])).toThrow(/either/);
    expect(parseEvalArgs(["--protocol", "users", "--input", "x", "--items", "m", "--tune"])).toMatchObject({ protocol: "users", input: "x", items: "m", tune: true });
    expect(() => parseEvalArgs(["--protocol", "users"])).toThrow(/needs --input/);
    expect(parseEvalArgs(["--protocol", "users", "--input", "x", "--validation", "--weights", '{"itemCf":0}'])).toMatchObject({ validation: true, weights: { itemCf: 0 } });
    expect(() => parseEvalArgs(["--protocol", "users", "--input", "x", "--weights", "{itemCf}"])).toThrow(/must be JSON/);
    expect(() => parseEvalArgs(["--protocol", "users", "--input", "x", "--weights", '{"itemCf":-1}'])).toThrow(/non-negative/);
    expect(() => parseEvalArgs(["--protocol", "nope", "--input", "x"])).toThrow(/unknown --protocol/);
  });
});
