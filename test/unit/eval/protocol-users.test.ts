import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { leaveLastOut, sessionsOf } from "../../../scripts/eval/protocol-users";
import { readJdUsers } from "../../../scripts/eval/read-jd";
import { splitCsv } from "../../../scripts/eval/read-users";
import { RankingMetrics } from "../../../scripts/eval/metrics";

describe("protocol 2 (users)", () => {
  it("holds out each user's last item and skips users with fewer than 3 interactions", () => {
    const split = leaveLastOut([
      { user: "a", items: ["1", "2", "3", "4"], times: [1, 2, 3, 4] },
      { user: "b", items: ["1", "2"], times: [1, 2] },
    ]);
    expect(split.histories).toEqual([{ user: "a", items: ["1", "2", "3"], times: [1, 2, 3] }]);
    expect(split.targets.get("a")).toBe("4");
    expect(split.targets.has("b")).toBe(false);
    // Validation drops one more item: the second-to-last becomes the target.
    expect(leaveLastOut([{ user: "a", items: ["1", "2", "3", "4"], times: [1, 2, 3, 4] }], 1).targets.get("a")).toBe("3");
  });

  it("computes HR, MRR and NDCG at 10 on a hand-checked case", () => {
    const m = new RankingMetrics([10]);
    m.add(["x", "t"], "t"); // rank 2: HR 1, RR 1/2, DCG 1/log2(3)
    m.add(["a", "b"], "t"); // miss
    const [r] = m.result();
    expect(r!.hr).toBeCloseTo(0.5);
    expect(r!.mrr).toBeCloseTo(0.25);
    expect(r!.ndcg).toBeCloseTo(1 / Math.log2(3) / 2);
  });

  it("parses CSV with quoted commas", () => {
    expect(splitCsv('11,"American President, The (1995)",Comedy|Drama|Romance')).toEqual(["11", "American President, The (1995)", "Comedy|Drama|Romance"]);
    expect(splitCsv('1,"say ""hi""",x')).toEqual(["1", 'say "hi"', "x"]);
  });
});

describe("protocol 2 inputs", () => {
  it("cuts a history into sessions at idle gaps", () => {
    const h = { user: "u", items: ["a", "b", "c", "d"], times: [0, 10, 5000, 5001] };
    expect(sessionsOf(h, 3600)).toEqual([["a", "b"], ["c", "d"]]);
    expect(sessionsOf(h, Infinity)).toEqual([["a", "b", "c", "d"]]);
  });

  it("reads a JD sample as one visitor per line with leaf categories", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "jd-")), "sample");
    writeFileSync(file, "1+5+c1+10+3 1+7+c1+5+3 2+5+c2+20+4 1+9+c1+0+1\n3+5+c3+1+1\n");
    const { users, categories } = await readJdUsers(file);
    // Consecutive behaviours on one product are one view; the clock runs on across lines.
    expect(users).toEqual([
      { user: "0", items: ["1", "2", "1"], times: [0, 15, 35] },
      { user: "1", items: ["3"], times: [36] },
    ]);
    expect(categories.get("2")).toEqual(["c2"]);
  });
});
