// The slots page's data: per slot and variant, daily CTR (clicks / impressions) and conversion (purchases / clicks,
// as GET /admin/metrics defines it), each with a Wilson 95% interval, plus the period's totals. One rollup read.
import { readMetrics, type MetricsRow } from "../../storage/rollups-repo";
import { wilson } from "./stats";

type Interval = { rate: number; lo: number; hi: number };
export type DayFigures = { day: string; impressions: number; clicks: number; purchases: number; ctr: Interval | null; conversion: Interval | null };
export type VariantSeries = {
  variant: string;
  days: DayFigures[];
  totals: { impressions: number; clicks: number; purchases: number; revenue: number; ctr: Interval | null; conversion: Interval | null };
};
export type SlotFigures = { slot: string; variants: VariantSeries[] };

/** Rows summed over model versions, per slot → variant → day; every day of `days` present (zeros when absent). */
export function slotFigures(rows: readonly MetricsRow[], days: readonly string[]): SlotFigures[] {
  const tree = new Map<string, Map<string, Map<string, { impressions: number; clicks: number; purchases: number; revenue: number }>>>();
  for (const r of rows) {
    let variants = tree.get(r.slot);
    if (!variants) tree.set(r.slot, (variants = new Map()));
    let byDay = variants.get(r.variant);
    if (!byDay) variants.set(r.variant, (byDay = new Map()));
    const d = byDay.get(r.day) ?? { impressions: 0, clicks: 0, purchases: 0, revenue: 0 };
    byDay.set(r.day, { impressions: d.impressions + r.impressions, clicks: d.clicks + r.clicks, purchases: d.purchases + r.purchases, revenue: d.revenue + r.revenue });
  }
  return [...tree.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([slot, variants]) => ({
      slot,
      variants: [...variants.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([variant, byDay]) => {
          const list = days.map((day) => {
            const d = byDay.get(day) ?? { impressions: 0, clicks: 0, purchases: 0, revenue: 0 };
            return { day, impressions: d.impressions, clicks: d.clicks, purchases: d.purchases, ctr: wilson(d.clicks, d.impressions), conversion: wilson(d.purchases, d.clicks) };
          });
          const t = [...byDay.values()].reduce((s, d) => ({ impressions: s.impressions + d.impressions, clicks: s.clicks + d.clicks, purchases: s.purchases + d.purchases, revenue: s.revenue + d.revenue }), { impressions: 0, clicks: 0, purchases: 0, revenue: 0 });
          return { variant, days: list, totals: { ...t, ctr: wilson(t.clicks, t.impressions), conversion: wilson(t.purchases, t.clicks) } };
        }),
    }));
}

export async function slotsData(d1: D1Database, site: string, days: readonly string[]): Promise<SlotFigures[]> {
  return slotFigures(await readMetrics(d1, site, days[0]!, days.at(-1)!), days);
}
