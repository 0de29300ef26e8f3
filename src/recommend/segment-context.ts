// Context factors: which of device, hour of day, weekday and country predict a visitor's preferred category. A
// decision tree (decision-tree.ts) learns category from the context columns; its impurity-decrease importance,
// summed per factor, is reported in numbers and words with its held-out accuracy against always guessing the most
// common category, so a weak signal reads as weak.
import { fitTree, predictTree } from "./decision-tree";
import { DAYPARTS, DEVICES, type BehaviourSummary, type FeatureLayout } from "./segment-features";
import { round4 } from "./vector";

export const CONTEXT_FACTORS = ["device", "hour of day", "weekday", "country"] as const;
export type ContextFactor = (typeof CONTEXT_FACTORS)[number];

export type ContextReport = {
  target: "preferred category";
  visitors: number;
  heldOut: number;
  accuracy: number;
  baseline: { category: string; accuracy: number };
  factors: { factor: ContextFactor; importance: number; available: boolean }[];
  summary: string;
};

type Column = { factor: ContextFactor; value: (s: BehaviourSummary) => number };

function shareOf(counts: Record<string, number> | undefined, key: string): number {
  const total = Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
  return total > 0 ? (counts?.[key] ?? 0) / total : 0;
}

function contextColumns(layout: FeatureLayout): Column[] {
  const hourShare = (s: BehaviourSummary, from: number, to: number) => {
    const total = s.hourCounts.reduce((a, b) => a + b, 0);
    return total > 0 ? s.hourCounts.slice(from, to).reduce((a, b) => a + b, 0) / total : 0;
  };
  const weekShare = (s: BehaviourSummary, days: readonly number[]) => {
    const w = s.weekdayCounts ?? [];
    const total = w.reduce((a, b) => a + b, 0);
    return total > 0 ? days.reduce((a, d) => a + (w[d] ?? 0), 0) / total : 0;
  };
  return [
    ...DEVICES.map((d): Column => ({ factor: "device", value: (s) => shareOf(s.deviceCounts, d) })),
    ...DAYPARTS.map((p): Column => ({ factor: "hour of day", value: (s) => hourShare(s, p.from, p.to) })),
    { factor: "weekday", value: (s) => weekShare(s, [0, 6]) },
    { factor: "weekday", value: (s) => weekShare(s, [1, 2, 3, 4, 5]) },
    ...layout.countries.map((c): Column => ({ factor: "country", value: (s) => shareOf(s.countryCounts, c) })),
  ];
}

function preferred(s: BehaviourSummary, categories: readonly string[]): number {
  let best = -1;
  let bestN = 0;
  categories.forEach((c, i) => {
    const n = s.categoryCounts[c] ?? 0;
    if (n > bestN) {
      bestN = n;
      best = i;
    }
  });
  return best;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Trains on four in five visitors (by position, deterministic) and scores the fifth. Null with fewer than 20
 * visitors who have a preferred category, or fewer than two categories.
 */
export function contextReport(summaries: readonly BehaviourSummary[], layout: FeatureLayout): ContextReport | null {
  const cats = layout.categories;
  if (cats.length < 2) return null;
  const cols = contextColumns(layout);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const s of summaries) {
    const y = preferred(s, cats);
    if (y < 0) continue;
    rows.push(cols.map((c) => c.value(s)));
    labels.push(y);
  }
  if (rows.length < 20) return null;
  const trainIdx = rows.map((_, i) => i).filter((i) => i % 5 !== 4);
  const testIdx = rows.map((_, i) => i).filter((i) => i % 5 === 4);
  const tree = fitTree(trainIdx.map((i) => rows[i]!), trainIdx.map((i) => labels[i]!), { classes: cats.length, maxDepth: 5, minLeaf: 5 });
  const correct = testIdx.filter((i) => predictTree(tree, rows[i]!) === labels[i]).length;
  const counts = new Array<number>(cats.length).fill(0);
  for (const i of trainIdx) counts[labels[i]!]!++;
  const majority = counts.indexOf(Math.max(...counts));
  const baseline = testIdx.filter((i) => labels[i] === majority).length / Math.max(1, testIdx.length);
  const accuracy = correct / Math.max(1, testIdx.length);
  const available = (f: ContextFactor) => cols.some((c, j) => c.factor === f && rows.some((r) => r[j] !== rows[0]![j]));
  const factors = CONTEXT_FACTORS.map((factor) => ({
    factor,
    importance: round4(cols.reduce((a, c, j) => a + (c.factor === factor ? tree.importance[j]! : 0), 0)),
    available: available(factor),
  })).sort((a, b) => b.importance - a.importance);
  const used = factors.filter((f) => f.importance > 0);
  const missing = factors.filter((f) => !f.available).map((f) => f.factor);
  const lift = accuracy - baseline;
  let summary: string;
  if (used.length === 0) summary = "No context factor helps predict a visitor's preferred category: the tree found no useful split.";
  else {
    const ranked = used.map((f, i) => `${i === 0 ? f.factor.charAt(0).toUpperCase() + f.factor.slice(1) : f.factor} (${percent(f.importance)})`);
    summary = `${ranked[0]} matters most for which category a visitor prefers${ranked.length > 1 ? `, then ${ranked.slice(1).join(", ")}` : ""}. `;
    summary +=
      lift > 0.05
        ? `From context alone the tree guesses the preferred category of ${percent(accuracy)} of held-out visitors, against ${percent(baseline)} for always guessing "${cats[majority]}".`
        : `But the tree is ${lift > 0 ? "barely better than" : "no better than"} always guessing "${cats[majority]}" (${percent(accuracy)} against ${percent(baseline)} of held-out visitors), so context says little about taste here.`;
  }
  if (missing.length) summary += ` No data for: ${missing.join(", ")} (every visitor has the same value).`;
  return {
    target: "preferred category",
    visitors: rows.length,
    heldOut: testIdx.length,
    accuracy: round4(accuracy),
    baseline: { category: cats[majority]!, accuracy: round4(baseline) },
    factors,
    summary,
  };
}
