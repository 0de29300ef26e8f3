// The experiments page's figures per variant.
// ADAPTER (issue 10 part 6, to switch): this sums the experiment's rec_rollups rows per variant and gives each rate a
// Wilson interval of its own (./stats.ts). When src/recommend/experiment-results.ts lands (per-variant figures with
// intervals, differences against control, p-values and the SRM check), replace the body of `experimentFigures` by a
// call to it and render its extra columns; the page reads only the type below. One rollup read serves every
// experiment of the page.
import { METRICS_MAX_DAYS } from "../../config/limits";
import { variantLabel } from "../../recommend/experiments";
import { readMetrics, type MetricsRow } from "../../storage/rollups-repo";
import type { ExperimentRow } from "../../storage/schema";
import { wilson } from "./stats";

type Interval = { rate: number; lo: number; hi: number };

export type VariantFigures = {
  variant: string;
  /** Configured traffic share (0..1). */
  share: number;
  /** Share of the experiment's impressions this variant got (0..1; null before any impression). */
  observedShare: number | null;
  impressions: number;
  clicks: number;
  purchases: number;
  revenue: number;
  /** clicks / impressions with its 95% interval. */
  ctr: Interval | null;
  /** purchases / impressions with its 95% interval. */
  conversion: Interval | null;
  revenuePerImpression: number | null;
};

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The days an experiment's figures cover: its start to its stop (or today), at most METRICS_MAX_DAYS. Null if never started. */
function span(e: ExperimentRow, now: number): { from: string; to: string } | null {
  if (!e.startedAt) return null;
  const end = e.stoppedAt?.getTime() ?? now;
  return { from: dayOf(Math.max(e.startedAt.getTime(), end - (METRICS_MAX_DAYS - 1) * DAY)), to: dayOf(end) };
}

/** Per-variant totals of one experiment from rollup rows (its slots and days only), with Wilson intervals. */
export function variantFigures(rows: readonly MetricsRow[], e: ExperimentRow, now: number): VariantFigures[] {
  const days = span(e, now);
  const slots = new Set(e.config.slots);
  const totalWeight = e.config.variants.reduce((s, v) => s + v.weight, 0);
  const sums = e.config.variants.map((v) => {
    const label = variantLabel(e.id, v.name);
    const mine = days ? rows.filter((r) => r.variant === label && slots.has(r.slot) && r.day >= days.from && r.day <= days.to) : [];
    const add = (f: (r: MetricsRow) => number) => mine.reduce((s, r) => s + f(r), 0);
    return { v, impressions: add((r) => r.impressions), clicks: add((r) => r.clicks), purchases: add((r) => r.purchases), revenue: add((r) => r.revenue) };
  });
  const allImpressions = sums.reduce((s, x) => s + x.impressions, 0);
  return sums.map(({ v, impressions, clicks, purchases, revenue }) => ({
    variant: v.name,
    share: v.weight / totalWeight,
    observedShare: allImpressions > 0 ? impressions / allImpressions : null,
    impressions,
    clicks,
    purchases,
    revenue,
    ctr: wilson(clicks, impressions),
    conversion: wilson(purchases, impressions),
    revenuePerImpression: impressions > 0 ? revenue / impressions : null,
  }));
}

/** Figures of every experiment of a site from one rollup read covering all their spans (at most METRICS_MAX_DAYS). */
export async function experimentFigures(d1: D1Database, site: string, experiments: readonly ExperimentRow[], now: number): Promise<VariantFigures[][]> {
  const spans = experiments.map((e) => span(e, now)).filter((x) => x !== null);
  if (spans.length === 0) return experiments.map((e) => variantFigures([], e, now));
  const to = spans.reduce((m, x) => (x.to > m ? x.to : m), spans[0]!.to);
  const earliest = dayOf(Date.parse(`${to}T00:00:00Z`) - (METRICS_MAX_DAYS - 1) * DAY);
  const from = spans.reduce((m, x) => (x.from < m ? x.from : m), spans[0]!.from);
  const rows = await readMetrics(d1, site, from < earliest ? earliest : from, to);
  return experiments.map((e) => variantFigures(rows, e, now));
}
