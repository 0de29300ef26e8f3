// Overview: events and sessions per hour (the last two days) and per day (the last two weeks), with the period's
// recommendation totals.
import { BarChart, LineChart } from "../charts/charts";
import { DAY_MS, formatPercent, timeLabel } from "../charts/scale";
import type { OverviewData } from "../data/overview";
import { count, money } from "./format";

export function OverviewBody(props: { data: OverviewData }) {
  const { hours, days, totals } = props.data;
  const from = hours[0]!.hour;
  const to = hours.at(-1)!.hour;
  const tiles: [string, string][] = [
    ["Events (14 days)", count(totals.events)],
    ["Sessions started", count(totals.sessionsStarted)],
    ["Impressions", count(totals.impressions)],
    ["Recommendation clicks", count(totals.clicks)],
    ["CTR", totals.impressions > 0 ? formatPercent(totals.clicks / totals.impressions) : "–"],
    ["Attributed purchases", count(totals.purchases)],
    ["Attributed revenue", money(totals.revenue)],
  ];
  const dayLabels = days.map((d) => timeLabel(Date.parse(`${d.day}T00:00:00Z`), DAY_MS));
  return (
    <div>
      <div class="tiles">
        {tiles.map(([k, v]) => (
          <div class="tile">
            <div class="k">{k}</div>
            <div class="v">{v}</div>
          </div>
        ))}
      </div>
      <h2>Per hour (last {hours.length} hours, UTC)</h2>
      <div class="charts">
        <LineChart title="Events per hour" series={[{ name: "events", points: hours.map((h) => ({ x: h.hour, y: h.events })) }]} from={from} to={to} yLabel="events" />
        <LineChart
          title="Sessions per hour"
          series={[
            { name: "active sessions", points: hours.map((h) => ({ x: h.hour, y: h.sessions })) },
            { name: "sessions started", points: hours.map((h) => ({ x: h.hour, y: h.sessionsStarted })) },
          ]}
          from={from}
          to={to}
          yLabel="sessions"
        />
      </div>
      <h2>Per day (last {days.length} days, UTC)</h2>
      <div class="charts">
        <BarChart title="Events per day" categories={dayLabels} series={[{ name: "events", values: days.map((d) => d.events) }]} yLabel="events" />
        <BarChart title="Sessions started per day" categories={dayLabels} series={[{ name: "sessions started", values: days.map((d) => d.sessionsStarted) }]} yLabel="sessions" />
      </div>
      <p class="hint">
        From the hourly traffic rollup and the recommendation rollups (never the raw event log). Active sessions: distinct sessions with an event in the hour; a day's sessions
        are the sessions started that day.
      </p>
    </div>
  );
}
