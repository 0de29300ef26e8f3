// Slots: per slot, daily CTR and conversion of each experiment variant with 95% Wilson bands, and the period's totals.
import { LineChart, type LineSeries } from "../charts/charts";
import { DAY_MS, formatPercent } from "../charts/scale";
import type { DayFigures, SlotFigures } from "../data/slots";
import { Rate, count, money } from "./format";

const label = (variant: string) => (variant === "none" ? "no experiment" : variant);

function series(s: SlotFigures, pick: (d: DayFigures) => DayFigures["ctr"]): LineSeries[] {
  return s.variants.map((v) => ({
    name: label(v.variant),
    points: v.days.map((d) => {
      const r = pick(d);
      const x = Date.parse(`${d.day}T00:00:00Z`);
      return r ? { x, y: r.rate, lo: r.lo, hi: r.hi, note: `[${formatPercent(r.lo)} – ${formatPercent(r.hi)}]` } : { x, y: null };
    }),
  }));
}

export function SlotsBody(props: { slots: SlotFigures[]; days: string[] }) {
  const from = Date.parse(`${props.days[0]}T00:00:00Z`);
  const to = Date.parse(`${props.days.at(-1)}T00:00:00Z`);
  if (props.slots.length === 0) return <p class="hint">No recommendation impressions in the last {props.days.length} days.</p>;
  return (
    <div>
      <p class="hint">
        Days are the days a list was served (UTC). Shaded bands are 95% Wilson intervals; a day without impressions is a gap. Conversion is purchases per click (as GET
        /admin/metrics).
      </p>
      {props.slots.map((s) => (
        <section class="slot" data-slot={s.slot}>
          <h2>
            Slot <code>{s.slot}</code>
          </h2>
          <div class="charts">
            <LineChart title={`CTR per day · ${s.slot}`} series={series(s, (d) => d.ctr)} from={from} to={to} yFormat={formatPercent} yLabel="clicks / impressions" step={DAY_MS} />
            <LineChart title={`Conversion per day · ${s.slot}`} series={series(s, (d) => d.conversion)} from={from} to={to} yFormat={formatPercent} yLabel="purchases / clicks" step={DAY_MS} />
          </div>
          <table class="slot-totals">
            <thead>
              <tr>
                <th>Variant</th>
                <th class="num">Impressions</th>
                <th class="num">Clicks</th>
                <th class="num">CTR [95%]</th>
                <th class="num">Purchases</th>
                <th class="num">Conversion [95%]</th>
                <th class="num">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {s.variants.map((v) => (
                <tr>
                  <td>{label(v.variant)}</td>
                  <td class="num">{count(v.totals.impressions)}</td>
                  <td class="num">{count(v.totals.clicks)}</td>
                  <td class="num">
                    <Rate v={v.totals.ctr} />
                  </td>
                  <td class="num">{count(v.totals.purchases)}</td>
                  <td class="num">
                    <Rate v={v.totals.conversion} />
                  </td>
                  <td class="num">{money(v.totals.revenue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
