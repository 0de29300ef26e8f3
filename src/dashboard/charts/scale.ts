// Pure chart geometry for the dashboard's SVG charts: linear scales, "nice" value ticks (1, 2, 5 × 10^k), UTC time
// ticks on hour and day boundaries, and the number and date labels the axes print. No DOM, no Worker types.

export type Scale = (v: number) => number;

/** Maps domain [d0, d1] onto range [r0, r1]; a zero-width domain maps everything to the range's middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The nice step (1, 2 or 5 × 10^k) that splits `span` into about `count` intervals. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Value ticks covering [min, max]: the domain is widened to multiples of a nice step, and the ticks are those
 * multiples. A flat or empty domain becomes [0, 1] (or [0, max] widened), so an axis always has two ticks.
 */
export function niceTicks(min: number, max: number, count = 5): { min: number; max: number; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, count);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    if (max === 0) return niceTicks(0, 1, count);
    return max > 0 ? niceTicks(0, max, count) : niceTicks(min, 0, count);
  }
  const step = niceStep(max - min, count);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's decimals so 0.1 + 0.2 prints as 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let i = 0; lo + i * step <= hi + step / 1e9; i++) ticks.push(Number((lo + i * step).toFixed(decimals)));
  return { min: lo, max: hi, ticks };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Time-axis steps, smallest first: a tick every so many hours, then days, then weeks. */
const TIME_STEPS = [1, 2, 3, 6, 12, 24, 48, 72, 168, 336].map((h) => h * HOUR_MS);

/**
 * Ticks on UTC hour or day boundaries inside [from, to], at most `count` of them, the step at least `minStep` (daily
 * data gets day ticks however short the span).
 */
export function timeTicks(from: number, to: number, count = 6, minStep = HOUR_MS): { step: number; ticks: number[] } {
  if (!(to > from)) return { step: Math.max(minStep, HOUR_MS), ticks: [from] };
  const step = TIME_STEPS.find((s) => s >= minStep && (to - from) / s <= count) ?? TIME_STEPS.at(-1)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return { step, ticks };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Dec 1" for day steps; "14:00" for hour steps, with the date at midnight ("Dec 1 00:00"). UTC throughout. */
export function timeLabel(t: number, step: number): string {
  const d = new Date(t);
  const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  if (step >= DAY_MS) return day;
  const hm = `${String(d.getUTCHours()).padStart(2, "0")}:00`;
  return d.getUTCHours() === 0 ? `${day} ${hm}` : hm;
}

/** Compact counts for axes: 950, 1.2k, 34k, 1.5M. */
export function formatCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(n: number): string {
  return Number(n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2)).toString();
}

/** A share as a percentage with enough decimals to tell small rates apart: 12%, 3.4%, 0.25%. */
export function formatPercent(p: number): string {
  const v = p * 100;
  const a = Math.abs(v);
  return `${Number(v.toFixed(a >= 10 ? 0 : a >= 1 ? 1 : 2))}%`;
}
