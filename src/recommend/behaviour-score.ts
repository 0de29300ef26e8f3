// Behavioural scores of one visitor, each 0-100, and their weighted sum (the site may reweigh them: site config
// `segments.scoreWeights`). Each sub-score saturates, so it reads as "how much of this" rather than a raw count:
//   recency     100 · 2^(−days since last visit / 7)           (halves every week of absence)
//   frequency   100 · (1 − 2^(−visits / 3))                     (3 visits = 50)
//   engagement  100 · (1 − 2^(−minutes per visit / 5))          (5 minutes a visit = 50)
//   conversion  100 · min(1, (purchases + 0.3 · carts) / visits) (one purchase a visit = 100)
//   score       Σ weight · sub-score / Σ weight                  (defaults 0.25 / 0.25 / 0.2 / 0.3)
// plus the category affinities (share of item interactions per category, the top three).
import { visitsOf, type BehaviourSummary } from "./segment-features";
import { round4 } from "./vector";

export const SCORE_NAMES = ["recency", "frequency", "engagement", "conversion"] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];
export const DEFAULT_SCORE_WEIGHTS: Readonly<Record<ScoreName, number>> = { recency: 0.25, frequency: 0.25, engagement: 0.2, conversion: 0.3 };

export type BehaviourScores = Record<ScoreName, number> & { score: number; affinities: { category: string; share: number }[] };

const DAY = 86_400_000;
const saturate = (x: number, half: number) => 100 * (1 - 2 ** (-x / half));

export function behaviourScores(s: BehaviourSummary, now: number, weights: Partial<Record<ScoreName, number>> = {}): BehaviourScores {
  const visits = Math.max(1, visitsOf(s));
  const days = Math.max(0, now - s.lastSeen) / DAY;
  const sub: Record<ScoreName, number> = {
    recency: 100 * 2 ** (-days / 7),
    frequency: saturate(visitsOf(s), 3),
    engagement: saturate((s.sessionSeconds ?? 0) / 60, 5),
    conversion: 100 * Math.min(1, ((s.counts.purchase ?? 0) + 0.3 * (s.counts.add_to_cart ?? 0)) / visits),
  };
  const w = { ...DEFAULT_SCORE_WEIGHTS, ...weights };
  const wsum = SCORE_NAMES.reduce((a, n) => a + w[n], 0);
  const score = wsum > 0 ? SCORE_NAMES.reduce((a, n) => a + w[n] * sub[n], 0) / wsum : 0;
  const catTotal = Object.values(s.categoryCounts).reduce((a, b) => a + b, 0);
  const affinities = Object.entries(s.categoryCounts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([category, n]) => ({ category, share: round4(n / catTotal) }));
  const r1 = (x: number) => Math.round(x * 10) / 10 || 0;
  return { recency: r1(sub.recency), frequency: r1(sub.frequency), engagement: r1(sub.engagement), conversion: r1(sub.conversion), score: r1(score), affinities };
}
