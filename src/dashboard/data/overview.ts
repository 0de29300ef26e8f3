// The overview's data: hourly and daily traffic from traffic_rollups and the period's recommendation totals from
// rec_rollups (one query each; neither scans the event log). Missing hours and days are real zeros.
import { DASHBOARD_DEFAULT_DAYS, DASHBOARD_TRAFFIC_HOURS } from "../../config/limits";
import { readMetrics } from "../../storage/rollups-repo";
import { readTrafficDays, readTrafficHours, type TrafficDay, type TrafficHour } from "../../storage/traffic-rollups-repo";
import { DAY_MS, HOUR_MS } from "../charts/scale";

export type OverviewData = {
  hours: TrafficHour[];
  days: TrafficDay[];
  totals: { events: number; sessionsStarted: number; impressions: number; clicks: number; purchases: number; revenue: number };
};

export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `n` UTC days up to today's, oldest first. */
export function lastDays(now: number, n: number): string[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: n }, (_, i) => dayOf(today - (n - 1 - i) * DAY_MS));
}

export async function overviewData(d1: D1Database, site: string, now: number): Promise<OverviewData> {
  const thisHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const firstHour = thisHour - (DASHBOARD_TRAFFIC_HOURS - 1) * HOUR_MS;
  const days = lastDays(now, DASHBOARD_DEFAULT_DAYS);
  const [hourRows, dayRows, recRows] = await Promise.all([
    readTrafficHours(d1, site, firstHour, thisHour + HOUR_MS),
    readTrafficDays(d1, site, days[0]!, days.at(-1)!),
    readMetrics(d1, site, days[0]!, days.at(-1)!),
  ]);
  const byHour = new Map(hourRows.map((r) => [r.hour, r]));
  const byDay = new Map(dayRows.map((r) => [r.day, r]));
  const hours = Array.from({ length: DASHBOARD_TRAFFIC_HOURS }, (_, i) => {
    const hour = firstHour + i * HOUR_MS;
    return byHour.get(hour) ?? { hour, events: 0, sessions: 0, sessionsStarted: 0 };
  });
  const filledDays = days.map((day) => byDay.get(day) ?? { day, events: 0, sessionsStarted: 0 });
  const sum = <T,>(rows: T[], f: (r: T) => number) => rows.reduce((s, r) => s + f(r), 0);
  return {
    hours,
    days: filledDays,
    totals: {
      events: sum(filledDays, (d) => d.events),
      sessionsStarted: sum(filledDays, (d) => d.sessionsStarted),
      impressions: sum(recRows, (r) => r.impressions),
      clicks: sum(recRows, (r) => r.clicks),
      purchases: sum(recRows, (r) => r.purchases),
      revenue: sum(recRows, (r) => r.revenue),
    },
  };
}
