// Session grouping and the protocol-1 split/filter rules (EVAL.md §1), kept free of I/O so they can be unit-tested.
import type { EventTable } from "./read-table";

/** One session: item ids and times, ordered by time (file order breaks ties). */
export type Session = { id: string; items: string[]; times: number[] };

/** Groups events by session id and orders each session by time. Sessions keep first-appearance order. */
export function groupSessions(t: EventTable): Session[] {
  const byId = new Map<string, number[]>();
  for (let i = 0; i < t.session.length; i++) {
    const rows = byId.get(t.session[i]);
    if (rows) rows.push(i);
    else byId.set(t.session[i], [i]);
  }
  const out: Session[] = [];
  for (const [id, rows] of byId) {
    rows.sort((a, b) => t.time[a] - t.time[b] || a - b);
    out.push({ id, items: rows.map((r) => t.item[r]), times: rows.map((r) => t.time[r]) });
  }
  return out;
}

/** Explicit split: drops test events whose item is not in train, then test sessions shorter than 2. */
export function filterTest(train: readonly Session[], test: readonly Session[]): Session[] {
  const known = new Set<string>();
  for (const s of train) for (const it of s.items) known.add(it);
  const out: Session[] = [];
  for (const s of test) {
    const keep = s.items.map((it) => known.has(it));
    const items = s.items.filter((_, i) => keep[i]);
    if (items.length < 2) continue;
    out.push({ id: s.id, items, times: s.times.filter((_, i) => keep[i]) });
  }
  return out;
}

/**
 * Single-file split: drops items seen fewer than `minItemSupport` times and sessions shorter than 2 until stable;
 * sessions whose last event falls within the final `testDays` days are test (then filtered like an explicit split).
 */
export function splitByDays(all: readonly Session[], testDays: number, minItemSupport = 5): { train: Session[]; test: Session[] } {
  let sessions = all.filter((s) => s.items.length >= 2);
  for (;;) {
    const support = new Map<string, number>();
    for (const s of sessions) for (const it of s.items) support.set(it, (support.get(it) ?? 0) + 1);
    let changed = false;
    const next: Session[] = [];
    for (const s of sessions) {
      const keep = s.items.map((it) => (support.get(it) ?? 0) >= minItemSupport);
      if (keep.includes(false)) changed = true;
      const items = s.items.filter((_, i) => keep[i]);
      if (items.length < 2) {
        changed = true;
        continue;
      }
      next.push({ id: s.id, items, times: s.times.filter((_, i) => keep[i]) });
    }
    sessions = next;
    if (!changed) break;
  }
  let tMax = -Infinity;
  for (const s of sessions) tMax = Math.max(tMax, s.times[s.times.length - 1]);
  const cut = tMax - testDays * 86400;
  const train = sessions.filter((s) => s.times[s.times.length - 1] < cut);
  const test = sessions.filter((s) => s.times[s.times.length - 1] >= cut);
  return { train, test: filterTest(train, test) };
}
