// The pipeline's memo of the history sources' candidates (src/recommend/pipeline.ts SourceMemo): a larger pool's list
// starts with a smaller one's for every source that declares a historyKey, and lists ranked with a memo equal
// lists ranked without one, while a second request with the same history runs none of those sources again.
import { describe, expect, it } from "vitest";
import { rankCandidates, type PipelineRequest, type SourceMemo } from "../../../src/recommend/pipeline";
import { seededRandom } from "../../../src/recommend/random";
import { SOURCES } from "../../../src/recommend/sources";
import type { ArtifactView, HistoryEntry, SourceContext } from "../../../src/recommend/sources/types";
import type { Neighbour } from "../../../src/recommend/types";

const rnd = seededRandom(7);
const ids = Array.from({ length: 80 }, (_, i) => `i${i}`);
// Scores from a few levels only, so ties (broken by id) are common, as with the artifact's one-byte scores.
const list = (): Neighbour[] =>
  ids
    .filter(() => rnd() < 0.4)
    .map((itemId) => ({ itemId, score: 1 + Math.floor(rnd() * 4) }))
    .sort((a, b) => b.score - a.score || (a.itemId < b.itemId ? -1 : 1));
const session = new Map(ids.map((id) => [id, { after: list(), with: list() }]));
const personal = new Map(ids.map((id) => [id, { itemCf: list(), content: list(), graph: list() }]));
const reads: string[] = [];
const view: ArtifactView = {
  session: (id) => (reads.push(`session:${id}`), session.get(id)),
  personal: (id) => (reads.push(`personal:${id}`), personal.get(id)),
  trending: ids.slice(0, 20).map((itemId, i) => ({ itemId, score: 20 - i })),
};
const history: HistoryEntry[] = ids.slice(40, 52).map((itemId, i) => ({ itemId, ts: 1_000_000 - i * 1000, type: i % 5 === 0 ? "add_to_cart" : "view", purchases: 0 }));
const ctx = (path: string[], current?: string): SourceContext => ({ path, current, history, segment: null, now: 2_000_000 });
const request = (c: SourceContext, memo?: SourceMemo): PipelineRequest => ({ ctx: c, sessionPath: c.path, rules: {}, k: 10, allowUncatalogued: true, memo });

describe("history sources' memo", () => {
  const memoised = SOURCES.filter((s) => s.historyKey !== undefined);

  it("is declared by the sources that read the history and not the live path", () => {
    expect(memoised.map((s) => s.name).sort()).toEqual(["content", "itemCf", "sequence"]);
  });

  it("a smaller pool gives a prefix of a larger pool's candidates", () => {
    for (const s of memoised) {
      for (const c of [ctx([]), ctx(["i3"], "i3")]) {
        const large = s.candidates(c, view, 70);
        expect(large.length).toBeGreaterThan(20);
        for (const pool of [1, 7, 20, 45]) {
          const small = s.candidates(c, view, pool);
          expect(small.length).toBeGreaterThanOrEqual(pool);
          expect(small).toEqual(large.slice(0, small.length));
        }
      }
    }
  });

  it("ranks exactly as without it, and a second request with the same history reads none of the history's lists", () => {
    const memo: SourceMemo = new Map();
    // Paths of different lengths (as after clicks) change the exclusions and so the pools asked for.
    const paths = [["i1"], ["i1", "i2", "i5", "i9"], ["i1", "i2"], ["i1", "i2", "i5", "i9", "i11", "i13", "i17"]];
    for (const [n, path] of paths.entries()) {
      const c = ctx(path);
      const plain = rankCandidates(request(c), view);
      reads.length = 0;
      const withMemo = rankCandidates(request(c, memo), view);
      expect(withMemo).toEqual(plain);
      const historyReads = reads.filter((r) => history.some((h) => r.endsWith(`:${h.itemId}`)));
      // The first request fills the memo, with headroom for the exclusions later clicks add.
      if (n === 0) expect(historyReads.length).toBeGreaterThan(0);
      else expect(historyReads).toEqual([]);
    }
    // The item on screen is part of the content source's key: a new one is computed, the others are not.
    const other = ctx(["i1"], "i30");
    const plain = rankCandidates(request(other), view);
    reads.length = 0;
    expect(rankCandidates(request(other, memo), view)).toEqual(plain);
    expect(memo.size).toBe(4);
    expect(reads.filter((r) => r.startsWith("session:") && history.some((h) => r === `session:${h.itemId}`))).toEqual([]);
  });
});
