import { topKIndices } from "../../src/recommend/top-k";
export class OldContent {
  private readonly items: string[] = [];
  private readonly tokens: string[][] = [];
  config = { k: 30, maxPostings: 5000, categoryBoost: 1.5 };
  push(itemId: string, categories: readonly string[], tags: readonly string[]): void {
    this.items.push(itemId);
    this.tokens.push([...new Set([...categories.map((c) => `c:${c}`), ...tags.map((t) => `t:${t}`)])]);
  }
  build() {
    const n = this.items.length;
    const df = new Map<string, number>();
    for (const toks of this.tokens) for (const t of toks) df.set(t, (df.get(t) ?? 0) + 1);
    const postings = new Map<string, number[]>();
    const vectors = this.tokens.map((toks, i) => {
      const v = new Map<string, number>();
      let norm = 0;
      for (const t of toks) {
        const w = Math.log(1 + n / df.get(t)!) * (t.startsWith("c:") ? this.config.categoryBoost : 1);
        v.set(t, w);
        norm += w * w;
        const p = postings.get(t);
        if (!p) postings.set(t, [i]);
        else if (p.length < this.config.maxPostings) p.push(i);
      }
      norm = Math.sqrt(norm) || 1;
      for (const [t, w] of v) v.set(t, w / norm);
      return v;
    });
    const scores = new Float64Array(n);
    const touched: number[] = [];
    const lists = vectors.map((v, i) => {
      for (const [t, w] of v) {
        for (const j of postings.get(t) ?? []) {
          if (j === i) continue;
          if (scores[j] === 0) touched.push(j);
          scores[j] += w * (vectors[j]!.get(t) ?? 0);
        }
      }
      const cand = Float64Array.from(touched, (j) => scores[j]!);
      const best = topKIndices(cand, this.config.k).map((e) => ({ itemId: this.items[touched[e]!]!, score: cand[e]! }));
      for (const j of touched) scores[j] = 0;
      touched.length = 0;
      return best;
    });
    return { items: this.items.slice(), lists };
  }
}
