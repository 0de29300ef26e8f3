import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEventTable } from "../../../scripts/eval/read-table";
import { filterTest, groupSessions, splitByDays, type Session } from "../../../scripts/eval/sessions";

const dir = mkdtempSync(join(tmpdir(), "edgerec-eval-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const DAY = 86400;
const items = (ss: Session[]) => Object.fromEntries(ss.map((s) => [s.id, s.items]));

describe("readEventTable", () => {
  it("reads TSV with SessionId/ItemId/Time and CSV with session_id/item_id/ts in any column order", async () => {
    const tsv = await readEventTable(file("a.tsv", "SessionId\tItemId\tTime\n1\t10\t5.5\n1\t11\t6\n"));
    expect(tsv).toEqual({ session: ["1", "1"], item: ["10", "11"], time: [5.5, 6] });
    const csv = await readEventTable(file("b.csv", "ts,item_id,extra,session_id\r\n7,x,q,s1\r\n\r\n"));
    expect(csv).toEqual({ session: ["s1"], item: ["x"], time: [7] });
  });

  it("takes column names from flags and fails clearly on a missing column or bad row", async () => {
    const t = await readEventTable(file("c.csv", "visit,sku,when\nv,i,1\n"), { session: "visit", item: "sku", time: "when" });
    expect(t.item).toEqual(["i"]);
    await expect(readEventTable(file("d.csv", "a,b,c\n1,2,3\n"))).rejects.toThrow(/no session column/);
    await expect(readEventTable(file("e.tsv", "SessionId\tItemId\tTime\n1\t2\tnot-a-time\n"))).rejects.toThrow(/e.tsv:2/);
  });
});

describe("groupSessions", () => {
  it("orders each session by time, file order breaking ties", () => {
    const s = groupSessions({ session: ["a", "b", "a", "a"], item: ["x", "y", "z", "w"], time: [3, 1, 1, 3] });
    expect(items(s)).toEqual({ a: ["z", "x", "w"], b: ["y"] });
  });
});

describe("filterTest (explicit split)", () => {
  it("drops unknown items first, then sessions shorter than 2", () => {
    const train: Session[] = [{ id: "t", items: ["a", "b", "c"], times: [1, 2, 3] }];
    const test: Session[] = [
      { id: "1", items: ["a", "zz", "b"], times: [1, 2, 3] }, // keeps a, b
      { id: "2", items: ["a", "zz"], times: [1, 2] }, // one known item left: dropped
      { id: "3", items: ["c", "c"], times: [1, 2] }, // repeats are kept
    ];
    const out = filterTest(train, test);
    expect(items(out)).toEqual({ "1": ["a", "b"], "3": ["c", "c"] });
    expect(out[0].times).toEqual([1, 3]);
  });
});

describe("splitByDays (single file)", () => {
  it("filters items < 5 and sessions < 2 until stable, then splits on the last event's day", () => {
    const ev: [string, string, number][] = [];
    // Train sessions (end before the last day): a and b are frequent.
    for (let s = 0; s < 5; s++) ev.push([`tr${s}`, "a", s], [`tr${s}`, "b", s + 1]);
    // "r" occurs 5 times, but 4 of those are in sessions that die once "rare" (1 occurrence) goes: r then drops too.
    ev.push(["tr9", "a", 20], ["tr9", "r", 21]);
    for (let s = 0; s < 4; s++) ev.push([`x${s}`, "r", 30 + s], [`x${s}`, "rare", 31 + s]);
    // Test: a session ending within the final day, and one starting earlier but ending in it.
    ev.push(["te1", "b", 10 * DAY], ["te1", "a", 10 * DAY + 5]);
    ev.push(["te2", "a", 8.9 * DAY], ["te2", "b", 9.5 * DAY]);
    const all = groupSessions({ session: ev.map((e) => e[0]), item: ev.map((e) => e[1]), time: ev.map((e) => e[2]) });
    const { train, test } = splitByDays(all, 1);
    expect(items(test)).toEqual({ te1: ["b", "a"], te2: ["a", "b"] });
    expect(Object.keys(items(train)).sort()).toEqual(["tr0", "tr1", "tr2", "tr3", "tr4"]);
  });
});
