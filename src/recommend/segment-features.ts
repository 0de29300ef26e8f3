// The segments' feature vector: behaviour (recency, frequency, session length, conversion shares, category
// affinities) and context (device, time of day, weekend, country), its scaling and per-group weighting. The Worker
// reads summaries from D1 (storage/personal-repo.ts); summaryFromEvents is the same summary over in-memory events.
import { SEGMENT_FEATURE_TYPES, type EventType } from "../schemas/event-types";

/** A visitor's behaviour summary. Hours and weekdays are UTC (the server has no visitor time zone). */
export type BehaviourSummary = {
  lastSeen: number;
  eventCount: number;
  /** Events per type; only the segment-feature types (event-type table) are read. */
  counts: Partial<Record<EventType, number>>;
  categoryCounts: Record<string, number>;
  deviceCounts: Record<string, number>;
  /** 24 counts by UTC hour. */
  hourCounts: readonly number[];
  /** 7 counts by UTC weekday, 0 = Sunday (absent in older summaries). */
  weekdayCounts?: readonly number[];
  /** Events per coarse country (the locale's region subtag, never an IP). */
  countryCounts?: Record<string, number>;
  /** Distinct sessions, and their mean length in seconds (first to last event). */
  sessions?: number;
  sessionSeconds?: number;
};

/** The weighted groups of the feature vector; a site sets one weight per group (site config `segments.weights`). */
export const FEATURE_GROUPS = ["recency", "frequency", "engagement", "conversion", "categories", "device", "time", "weekday", "country"] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];
export const SCALINGS = ["standard", "minmax", "none"] as const;
export type Scaling = (typeof SCALINGS)[number];

export type FeatureKind = "recency" | "visits" | "minutes" | "depth" | "type" | "category" | "device" | "daypart" | "weekend" | "country";
export type FeatureColumn = { name: string; group: FeatureGroup; kind: FeatureKind; key: string };
/** The data-dependent part of the layout, fixed at training: the categories and countries that get a share column. */
export type FeatureLayout = { categories: string[]; countries: string[] };

export const DEVICES = ["mobile", "desktop", "tablet"] as const;
export const DAYPARTS = [
  { key: "night", from: 0, to: 6 },
  { key: "morning", from: 6, to: 12 },
  { key: "afternoon", from: 12, to: 18 },
  { key: "evening", from: 18, to: 24 },
] as const;
const DAY = 86_400_000;

export function featureColumns(layout: FeatureLayout): FeatureColumn[] {
  return [
    { name: "days since last visit", group: "recency", kind: "recency", key: "recency" },
    { name: "visits", group: "frequency", kind: "visits", key: "visits" },
    { name: "minutes per visit", group: "engagement", kind: "minutes", key: "minutes" },
    { name: "events per visit", group: "engagement", kind: "depth", key: "depth" },
    ...SEGMENT_FEATURE_TYPES.filter((t) => t !== "view").map((t): FeatureColumn => ({ name: `${t} share`, group: "conversion", kind: "type", key: t })),
    ...layout.categories.map((c): FeatureColumn => ({ name: `${c} share`, group: "categories", kind: "category", key: c })),
    ...DEVICES.map((d): FeatureColumn => ({ name: `${d} share`, group: "device", kind: "device", key: d })),
    ...DAYPARTS.map((p): FeatureColumn => ({ name: `${p.key} share`, group: "time", kind: "daypart", key: p.key })),
    { name: "weekend share", group: "weekday", kind: "weekend", key: "weekend" },
    ...layout.countries.map((c): FeatureColumn => ({ name: `${c} share`, group: "country", kind: "country", key: c })),
  ];
}

const sum = (xs: Iterable<number>) => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

/** The summary's visits (at least 1 once it has an event: older summaries carry no session count). */
export function visitsOf(s: BehaviourSummary): number {
  return s.sessions ?? (s.eventCount > 0 ? 1 : 0);
}

/**
 * Raw (unscaled) values in column order. Counts that grow without bound are log-compressed (days, visits, minutes,
 * events per visit) so one heavy visitor does not stretch the scale; the rest are shares in [0, 1].
 */
export function rawFeatures(s: BehaviourSummary, layout: FeatureLayout, now: number): number[] {
  const total = Math.max(1, s.eventCount);
  const visits = Math.max(1, visitsOf(s));
  const catTotal = Math.max(1, sum(Object.values(s.categoryCounts)));
  const devTotal = Math.max(1, sum(Object.values(s.deviceCounts)));
  const hourTotal = Math.max(1, sum(s.hourCounts));
  const week = s.weekdayCounts ?? [];
  const weekTotal = Math.max(1, sum(week));
  const countries = s.countryCounts ?? {};
  const countryTotal = Math.max(1, sum(Object.values(countries)));
  const part = (from: number, to: number) => sum(s.hourCounts.slice(from, to)) / hourTotal;
  return [
    Math.log1p(Math.max(0, now - s.lastSeen) / DAY),
    Math.log1p(visitsOf(s)),
    Math.log1p((s.sessionSeconds ?? 0) / 60),
    Math.log1p(s.eventCount / visits),
    ...SEGMENT_FEATURE_TYPES.filter((t) => t !== "view").map((t) => (s.counts[t] ?? 0) / total),
    ...layout.categories.map((c) => (s.categoryCounts[c] ?? 0) / catTotal),
    ...DEVICES.map((d) => (s.deviceCounts[d] ?? 0) / devTotal),
    ...DAYPARTS.map((p) => part(p.from, p.to)),
    ((week[0] ?? 0) + (week[6] ?? 0)) / weekTotal,
    ...layout.countries.map((c) => (countries[c] ?? 0) / countryTotal),
  ];
}

/** Inverse of the log compression, for descriptions: the raw value a marketer reads (days, visits, minutes, events). */
export function readable(col: FeatureColumn, v: number): number {
  return col.kind === "recency" || col.kind === "visits" || col.kind === "minutes" || col.kind === "depth" ? Math.expm1(v) : v;
}

/** The coarse country of a BCP 47 locale ("en-GB" → "GB", "pt_BR" → "BR"); undefined without a region subtag. */
export function countryOf(locale: string | null | undefined): string | undefined {
  if (!locale) return undefined;
  const region = locale.split(/[-_]/).slice(1).find((p) => /^[A-Za-z]{2}$/.test(p) || /^\d{3}$/.test(p));
  return region?.toUpperCase();
}

/** The most common categories and countries over the summaries (the share columns of a new model). */
export function chooseLayout(summaries: readonly BehaviourSummary[], maxCategories: number, maxCountries: number): FeatureLayout {
  const top = (pick: (s: BehaviourSummary) => Record<string, number> | undefined, n: number) => {
    const totals = new Map<string, number>();
    for (const s of summaries) for (const [k, v] of Object.entries(pick(s) ?? {})) totals.set(k, (totals.get(k) ?? 0) + v);
    return [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([k]) => k);
  };
  return { categories: top((s) => s.categoryCounts, maxCategories), countries: top((s) => s.countryCounts, maxCountries) };
}

export type FeatureSettings = { scaling: Scaling; weights: Readonly<Record<FeatureGroup, number>> };
export const DEFAULT_FEATURE_WEIGHTS: Readonly<Record<FeatureGroup, number>> = {
  recency: 1,
  frequency: 1,
  engagement: 1,
  conversion: 1,
  categories: 1,
  device: 1,
  time: 1,
  weekday: 1,
  country: 1,
};

/** x_scaled = (x − offset) / scale · weight, per column. */
export type Scaler = { scaling: Scaling; names: string[]; offset: number[]; scale: number[]; weight: number[] };

/**
 * Fits the scaling on the rows. A group's weight is split over its columns (÷ √columns), so eight category
 * columns weigh as much as one recency column at equal group weights, instead of eight times more.
 */
export function fitScaler(rows: readonly (readonly number[])[], columns: readonly FeatureColumn[], settings: FeatureSettings): Scaler {
  const d = columns.length;
  const n = Math.max(1, rows.length);
  const mean = new Array<number>(d).fill(0);
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (const r of rows) {
    for (let j = 0; j < d; j++) {
      mean[j]! += r[j]! / n;
      min[j] = Math.min(min[j]!, r[j]!);
      max[j] = Math.max(max[j]!, r[j]!);
    }
  }
  const sd = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) sd[j]! += (r[j]! - mean[j]!) ** 2 / n;
  const perGroup = new Map<FeatureGroup, number>();
  for (const c of columns) perGroup.set(c.group, (perGroup.get(c.group) ?? 0) + 1);
  // A column constant up to rounding keeps scale 1, or rounding noise would become whole units.
  const safe = (x: number, ref: number) => (x > 1e-9 * (1 + Math.abs(ref)) ? x : 1);
  const offset = settings.scaling === "none" ? mean.map(() => 0) : settings.scaling === "minmax" ? min.map((m) => (Number.isFinite(m) ? m : 0)) : mean;
  const scale =
    settings.scaling === "none"
      ? mean.map(() => 1)
      : settings.scaling === "minmax"
        ? max.map((m, j) => safe(m - min[j]!, m))
        : sd.map((v, j) => safe(Math.sqrt(v), mean[j]!));
  return {
    scaling: settings.scaling,
    names: columns.map((c) => c.name),
    offset,
    scale,
    weight: columns.map((c) => settings.weights[c.group] / Math.sqrt(perGroup.get(c.group)!)),
  };
}

export function applyScaler(x: readonly number[], s: Scaler): number[] {
  return x.map((v, j) => ((v - s.offset[j]!) / s.scale[j]!) * s.weight[j]!);
}

/** Back to raw values (a zero-weight column reads as its offset, having no information left). */
export function unscale(z: readonly number[], s: Scaler): number[] {
  return z.map((v, j) => (s.weight[j]! === 0 ? s.offset[j]! : (v / s.weight[j]!) * s.scale[j]! + s.offset[j]!));
}

/** One stored event as summaryFromEvents reads it (the D1 events row's fields that the SQL summary reads). */
export type SummaryEvent = { type: EventType; ts: number; sessionId: string; itemId?: string; context?: { device?: string; locale?: string } };

/**
 * The behaviour summary of one visitor's events, computed in memory as storage/personal-repo.ts profileSummaries
 * computes it in SQL (counters, category interactions, device/hour/weekday/country mix, sessions and their length).
 * For the evaluation and tests; `categoriesOf` is the catalog.
 */
export function summaryFromEvents(events: readonly SummaryEvent[], categoriesOf: (itemId: string) => readonly string[] | undefined): BehaviourSummary {
  const counts: Partial<Record<EventType, number>> = {};
  const categoryCounts: Record<string, number> = {};
  const deviceCounts: Record<string, number> = {};
  const countryCounts: Record<string, number> = {};
  const hourCounts = new Array<number>(24).fill(0);
  const weekdayCounts = new Array<number>(7).fill(0);
  const sessions = new Map<string, [number, number]>();
  let lastSeen = 0;
  for (const e of events) {
    counts[e.type] = (counts[e.type] ?? 0) + 1;
    if (e.itemId !== undefined && SEGMENT_FEATURE_TYPES.includes(e.type)) {
      for (const c of categoriesOf(e.itemId) ?? []) categoryCounts[c] = (categoryCounts[c] ?? 0) + 1;
    }
    const device = e.context?.device ?? "unknown";
    deviceCounts[device] = (deviceCounts[device] ?? 0) + 1;
    const country = countryOf(e.context?.locale);
    if (country) countryCounts[country] = (countryCounts[country] ?? 0) + 1;
    hourCounts[Math.floor(e.ts / 3_600_000) % 24]!++;
    weekdayCounts[(Math.floor(e.ts / DAY) + 4) % 7]!++; // 1970-01-01 was a Thursday
    const span = sessions.get(e.sessionId);
    sessions.set(e.sessionId, span ? [Math.min(span[0], e.ts), Math.max(span[1], e.ts)] : [e.ts, e.ts]);
    lastSeen = Math.max(lastSeen, e.ts);
  }
  const spans = [...sessions.values()];
  return {
    lastSeen,
    eventCount: events.length,
    counts,
    categoryCounts,
    deviceCounts,
    hourCounts,
    weekdayCounts,
    countryCounts,
    sessions: spans.length,
    sessionSeconds: spans.length ? sum(spans.map(([a, b]) => (b - a) / 1000)) / spans.length : 0,
  };
}
