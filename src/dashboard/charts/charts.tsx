// Hand-written SVG charts for the dashboard (server-rendered with hono/jsx, no script): a time line chart with
// optional interval bands, a grouped bar chart and a scatter plot, each with axes, ticks, labels and a legend.
// Colours come from the stylesheet by series class (s0, s1, …): the CSP allows no inline style.
import type { Child } from "hono/jsx";
import { formatCount, linearScale, niceTicks, timeLabel, timeTicks, type Scale } from "./scale";

/** The viewBox: about the width a chart gets in the two-column grid, so text renders near its CSS size. */
const W = 560;
const H = 250;
const M = { left: 64, right: 16, top: 32, bottom: 36 };
/** Series beyond this many reuse colours (the stylesheet defines s0..s7). */
const PALETTE = 8;

export type LinePoint = { x: number; y: number | null; lo?: number; hi?: number; note?: string };
export type LineSeries = { name: string; points: LinePoint[] };

type Axes = { x: Scale; y: Scale; yTicks: number[]; yFormat: (n: number) => string };

function seriesClass(i: number): string {
  return `s${i % PALETTE}`;
}

function Legend(props: { names: string[] }) {
  let x = M.left;
  return (
    <g class="legend">
      {props.names.map((name, i) => {
        const at = x;
        x += 28 + name.length * 8;
        return (
          <g>
            <rect class={`key ${seriesClass(i)}`} x={at} y={8} width={12} height={12} rx={2} />
            <text x={at + 17} y={19}>
              {name}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function YAxis(props: { f: Axes; label?: string }) {
  const { f } = props;
  return (
    <g class="axis y">
      {f.yTicks.map((t) => (
        <g>
          <line class="grid" x1={M.left} x2={W - M.right} y1={f.y(t).toFixed(1)} y2={f.y(t).toFixed(1)} />
          <text x={M.left - 6} y={(f.y(t) + 4).toFixed(1)} text-anchor="end">
            {f.yFormat(t)}
          </text>
        </g>
      ))}
      {props.label ? (
        <text class="axis-label" transform={`translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)`} text-anchor="middle">
          {props.label}
        </text>
      ) : null}
    </g>
  );
}

function XAxis(props: { ticks: { at: number; label: string }[] }) {
  return (
    <g class="axis x">
      <line class="baseline" x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} />
      {props.ticks.map((t) => (
        <g>
          <line class="tick" x1={t.at.toFixed(1)} x2={t.at.toFixed(1)} y1={H - M.bottom} y2={H - M.bottom + 5} />
          <text x={t.at.toFixed(1)} y={H - M.bottom + 20} text-anchor="middle">
            {t.label}
          </text>
        </g>
      ))}
    </g>
  );
}

function Frame(props: { title: string; kind: string; children: Child }) {
  return (
    <figure class={`chart ${props.kind}`}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title} xmlns="http://www.w3.org/2000/svg">
        {props.children}
      </svg>
    </figure>
  );
}

function Empty(props: { title: string; kind: string }) {
  return (
    <Frame title={props.title} kind={props.kind}>
      <text class="empty" x={W / 2} y={H / 2} text-anchor="middle">
        No data in this period
      </text>
    </Frame>
  );
}

/** Points joined as a path, broken at missing values (y null). */
export function linePath(points: { x: number; y: number | null }[], x: Scale, y: Scale): string {
  let d = "";
  let pen = false;
  for (const p of points) {
    if (p.y === null) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(p.x).toFixed(1)} ${y(p.y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The interval band as one closed path per run of points that have both bounds. */
export function bandPath(points: LinePoint[], x: Scale, y: Scale): string {
  const runs: LinePoint[][] = [[]];
  for (const p of points) {
    if (p.lo === undefined || p.hi === undefined || p.y === null) runs.push([]);
    else runs.at(-1)!.push(p);
  }
  return runs
    .filter((r) => r.length > 0)
    .map((r) => {
      const top = r.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.x).toFixed(1)} ${y(p.hi!).toFixed(1)}`).join("");
      const bottom = [...r].reverse().map((p) => `L${x(p.x).toFixed(1)} ${y(p.lo!).toFixed(1)}`).join("");
      // A single point still gets a visible sliver.
      return r.length === 1 ? `M${x(r[0]!.x) - 3} ${y(r[0]!.hi!)}h6V${y(r[0]!.lo!)}h-6Z` : `${top}${bottom}Z`;
    })
    .join("");
}

/**
 * A line chart over time (x in ms, UTC): one line per series, a shaded band where points carry lo/hi (95%
 * intervals), a dot per point whose tooltip gives the figure.
 */
export function LineChart(props: {
  title: string;
  series: LineSeries[];
  from: number;
  to: number;
  yFormat?: (n: number) => string;
  yLabel?: string;
  /** The data's spacing: DAY_MS for daily points (day ticks and labels), default hourly. */
  step?: number;
}) {
  const yFormat = props.yFormat ?? formatCount;
  const values = props.series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y, p.lo ?? p.y, p.hi ?? p.y])));
  if (values.length === 0) return <Empty title={props.title} kind="chart-line" />;
  const yt = niceTicks(0, Math.max(...values), 5);
  const x = linearScale([props.from, props.to], [M.left + 8, W - M.right - 8]);
  const y = linearScale([yt.min, yt.max], [H - M.bottom, M.top]);
  const tt = timeTicks(props.from, props.to, 7, props.step);
  const f: Axes = { x, y, yTicks: yt.ticks, yFormat };
  return (
    <Frame title={props.title} kind="chart-line">
      <YAxis f={f} label={props.yLabel} />
      <XAxis ticks={tt.ticks.map((t) => ({ at: x(t), label: timeLabel(t, tt.step) }))} />
      {props.series.map((s, i) => (
        <g class={`series ${seriesClass(i)}`} data-series={s.name}>
          <path class="band" d={bandPath(s.points, x, y)} />
          <path class="line" d={linePath(s.points, x, y)} />
          {s.points
            .filter((p) => p.y !== null)
            .map((p) => (
              <circle class="pt" cx={x(p.x).toFixed(1)} cy={y(p.y!).toFixed(1)} r={3}>
                <title>{`${s.name} · ${timeLabel(p.x, tt.step)}: ${yFormat(p.y!)}${p.note ? ` ${p.note}` : ""}`}</title>
              </circle>
            ))}
        </g>
      ))}
      <Legend names={props.series.map((s) => s.name)} />
    </Frame>
  );
}

/** Grouped bars: one group per category (a day), one bar per series, each with its value in the tooltip. */
export function BarChart(props: { title: string; categories: string[]; series: { name: string; values: number[] }[]; yFormat?: (n: number) => string; yLabel?: string }) {
  const yFormat = props.yFormat ?? formatCount;
  const all = props.series.flatMap((s) => s.values);
  if (props.categories.length === 0 || all.length === 0) return <Empty title={props.title} kind="chart-bar" />;
  const yt = niceTicks(0, Math.max(...all), 5);
  const y = linearScale([yt.min, yt.max], [H - M.bottom, M.top]);
  const band = (W - M.left - M.right) / props.categories.length;
  const barW = Math.max(1, (band * 0.8) / props.series.length);
  // Label every n-th category so labels never overlap (about 60 px each).
  const every = Math.max(1, Math.ceil(60 / band));
  const f: Axes = { x: (v) => v, y, yTicks: yt.ticks, yFormat };
  return (
    <Frame title={props.title} kind="chart-bar">
      <YAxis f={f} label={props.yLabel} />
      <XAxis
        ticks={props.categories.flatMap((c, i) => (i % every === 0 ? [{ at: M.left + band * (i + 0.5), label: c }] : []))}
      />
      {props.series.map((s, si) => (
        <g class={`series ${seriesClass(si)}`} data-series={s.name}>
          {s.values.map((v, i) => (
            <rect class="bar" x={(M.left + band * i + band * 0.1 + barW * si).toFixed(1)} y={y(v).toFixed(1)} width={barW.toFixed(1)} height={Math.max(0, H - M.bottom - y(v)).toFixed(1)}>
              <title>{`${s.name} · ${props.categories[i]}: ${yFormat(v)}`}</title>
            </rect>
          ))}
        </g>
      ))}
      <Legend names={props.series.map((s) => s.name)} />
    </Frame>
  );
}

/** A 2-D scatter, coloured by group, with value axes on both sides of the frame. */
export function ScatterChart(props: { title: string; points: { x: number; y: number; group: number }[]; groups: string[]; xLabel?: string; yLabel?: string }) {
  if (props.points.length === 0) return <Empty title={props.title} kind="chart-scatter" />;
  const xs = props.points.map((p) => p.x);
  const ys = props.points.map((p) => p.y);
  const xt = niceTicks(Math.min(...xs), Math.max(...xs), 6);
  const yt = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const x = linearScale([xt.min, xt.max], [M.left + 8, W - M.right - 8]);
  const y = linearScale([yt.min, yt.max], [H - M.bottom, M.top]);
  const fmt = (n: number) => String(Number(n.toFixed(2)));
  const f: Axes = { x, y, yTicks: yt.ticks, yFormat: fmt };
  return (
    <Frame title={props.title} kind="chart-scatter">
      <YAxis f={f} label={props.yLabel} />
      <XAxis ticks={xt.ticks.map((t) => ({ at: x(t), label: fmt(t) }))} />
      {props.groups.map((name, gi) => (
        <g class={`series ${seriesClass(gi)}`} data-series={name}>
          {props.points
            .filter((p) => p.group === gi)
            .map((p) => (
              <circle class="pt" cx={x(p.x).toFixed(1)} cy={y(p.y).toFixed(1)} r={2.5}>
                <title>{`${name} (${fmt(p.x)}, ${fmt(p.y)})`}</title>
              </circle>
            ))}
        </g>
      ))}
      <Legend names={props.groups} />
    </Frame>
  );
}
