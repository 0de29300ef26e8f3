// Segment descriptions a marketer would write ("night-time mobile visitors, mostly jackets, buy rarely"), from the
// features where a segment differs most from everyone (|z| against the overall spread), with the numbers behind
// each phrase. A segment where nothing stands out says so instead of presenting "average" as a finding.
import { readable, type FeatureColumn } from "./segment-features";

/** A feature counts as distinctive when the segment's mean is this many overall standard deviations away. */
export const DISTINCTIVE_Z = 0.5;

export type Trait = { feature: string; value: number; overall: number; z: number };
export type SegmentDescription = { description: string; distinctive: boolean; traits: Trait[] };

/** Two decimals (or whole numbers from 10 on), never "-0.00". */
export function formatNumber(x: number): string {
  const s = Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(2);
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const DAYPART_WORDS: Record<string, string> = { night: "night-time", morning: "morning", afternoon: "afternoon", evening: "evening" };

type Phrase = { z: number; adjective?: string; tail?: string };

function phraseOf(col: FeatureColumn, value: number, z: number): Phrase | null {
  const v = readable(col, value);
  const high = z >= DISTINCTIVE_Z;
  const low = z <= -DISTINCTIVE_Z;
  if (!high && !low) return null;
  switch (col.kind) {
    case "device":
      return high && value >= 0.5 ? { z, adjective: col.key } : null;
    case "daypart":
      return high && value >= 0.4 ? { z, adjective: DAYPART_WORDS[col.key] ?? col.key } : null;
    case "weekend":
      return high && value >= 0.5 ? { z, adjective: "weekend" } : low && value <= 0.15 ? { z, adjective: "weekday" } : null;
    case "country":
      return high && value >= 0.4 ? { z, tail: `mostly from ${col.key} (${pct(value)})` } : null;
    case "category":
      return high && value >= 0.3 ? { z, tail: `mostly ${col.key} (${pct(value)} of items)` } : null;
    case "type":
      if (col.key === "purchase") return { z, tail: high ? `buy often (${pct(value)} of events are purchases)` : "buy rarely" };
      if (col.key === "add_to_cart") return { z, tail: high ? `add to cart often (${pct(value)} of events)` : "rarely add to cart" };
      return high ? { z, tail: `${col.key.replaceAll("_", " ")} a lot (${pct(value)} of events)` } : null;
    case "recency":
      return high ? { z, tail: `lapsed (last seen ${formatNumber(v)} days ago)` } : { z, tail: "recently active" };
    case "visits":
      return high ? { z, adjective: "frequent", tail: `${formatNumber(v)} visits each` } : { z, adjective: "one-off" };
    case "minutes":
      return high ? { z, tail: `long visits (${formatNumber(v)} min)` } : { z, tail: "short visits" };
    case "depth":
      return high ? { z, tail: `browse deep (${formatNumber(v)} events a visit)` } : { z, tail: "browse little" };
  }
}

/**
 * Describes one segment from its members' mean raw features against the overall mean and standard deviation.
 * At most `maxPhrases` adjectives (before "visitors") and as many phrases after it, the most distinctive first.
 */
export function describeSegment(
  columns: readonly FeatureColumn[],
  segmentMean: readonly number[],
  overallMean: readonly number[],
  overallStd: readonly number[],
  maxPhrases = 3,
): SegmentDescription {
  const scored = columns.map((col, j) => {
    const sd = overallStd[j]!;
    const z = sd > 1e-9 ? (segmentMean[j]! - overallMean[j]!) / sd : 0;
    return { col, j, z };
  });
  const phrases = scored
    .map((s) => ({ s, p: phraseOf(s.col, segmentMean[s.j]!, s.z) }))
    .filter((x): x is { s: (typeof scored)[number]; p: Phrase } => x.p !== null)
    .sort((a, b) => Math.abs(b.p.z) - Math.abs(a.p.z));
  const traits = scored
    .filter((s) => Math.abs(s.z) >= DISTINCTIVE_Z)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
    .slice(0, 6)
    .map((s) => ({
      feature: s.col.name,
      value: Number(formatNumber(readable(s.col, segmentMean[s.j]!))),
      overall: Number(formatNumber(readable(s.col, overallMean[s.j]!))),
      z: Number(formatNumber(s.z)),
    }));
  if (phrases.length === 0) return { description: "typical visitors: no feature sets this group apart from everyone else", distinctive: false, traits };
  // Daypart before device before weekend reads naturally: "night-time mobile weekend visitors".
  const dayparts = Object.values(DAYPART_WORDS);
  const order = (a: string) => (a === "frequent" || a === "one-off" ? 0 : dayparts.includes(a) || a === "late-night" ? 1 : a === "weekend" || a === "weekday" ? 3 : 2);
  let adjectives = phrases.map((x) => x.p.adjective).filter((a): a is string => a !== undefined);
  // One time of day: night and evening together read as late night; otherwise the strongest.
  const times = adjectives.filter((a) => dayparts.includes(a));
  if (times.length > 1) {
    const merged = times.includes("night-time") && times.includes("evening") ? "late-night" : times[0]!;
    adjectives = adjectives.filter((a) => !dayparts.includes(a) || a === times[0]).map((a) => (a === times[0] ? merged : a));
  }
  adjectives = adjectives.slice(0, maxPhrases).sort((a, b) => order(a) - order(b));
  const tails = phrases.map((x) => x.p.tail).filter((t): t is string => t !== undefined).slice(0, maxPhrases);
  const head = `${adjectives.join(" ")}${adjectives.length ? " " : ""}visitors`;
  return { description: [head, ...tails].join(", "), distinctive: true, traits };
}
