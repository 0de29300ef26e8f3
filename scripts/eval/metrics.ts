// Ranking metrics for next-item prediction: HR@K, MRR@K, NDCG@K averaged over predictions, and coverage@K.

export type MetricsAtK = { k: number; hr: number; mrr: number; ndcg: number; coverage: number };

export class RankingMetrics {
  private readonly hits: number[];
  private readonly rr: number[];
  private readonly dcg: number[];
  private readonly covered: Set<string>[];
  predictions = 0;

  constructor(readonly ks: readonly number[]) {
    this.hits = ks.map(() => 0);
    this.rr = ks.map(() => 0);
    this.dcg = ks.map(() => 0);
    this.covered = ks.map(() => new Set<string>());
  }

  /** Records one prediction: `ranked` best first (at least max(ks) long when possible), `target` the true next item. */
  add(ranked: readonly string[], target: string): void {
    this.predictions++;
    const rank = ranked.indexOf(target) + 1; // 0 = not ranked
    this.ks.forEach((k, i) => {
      for (let r = 0; r < Math.min(k, ranked.length); r++) this.covered[i].add(ranked[r]);
      if (rank === 0 || rank > k) return;
      this.hits[i]++;
      this.rr[i] += 1 / rank;
      this.dcg[i] += 1 / Math.log2(rank + 1);
    });
  }

  result(): MetricsAtK[] {
    const n = this.predictions || 1;
    return this.ks.map((k, i) => ({
      k,
      hr: this.hits[i] / n,
      mrr: this.rr[i] / n,
      ndcg: this.dcg[i] / n,
      coverage: this.covered[i].size,
    }));
  }
}
