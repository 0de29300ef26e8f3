// D1 reads for the personalization training (cron): user histories, the catalog, and per-profile behaviour
// summaries for segmentation, all in keyset pages so memory stays flat; plus the one-profile reads of the
// recommend path (history and summary of the visitor in front of us).
import { COUNTER_COLUMNS, PATH_TYPES_SQL, SEGMENT_FEATURE_TYPES, type EventType } from "../schemas/event-types";
import { countryOf } from "../recommend/segment-features";
import { TRAIN_PAGE_ROWS } from "./training-repo";

export type HistoryRow = { profileId: string; itemId: string; type: EventType; ts: number };
export type CatalogRow = { id: string; categories: string[]; tags: string[]; available: boolean };

/** A visitor's behaviour in the shape segmentation takes. Hours are UTC (the server has no visitor time zone). */
export type ProfileSummary = {
  profileId: string;
  lastSeen: number;
  eventCount: number;
  counts: Partial<Record<EventType, number>>;
  categoryCounts: Record<string, number>;
  deviceCounts: Record<string, number>;
  hourCounts: number[];
  /** By UTC weekday, 0 = Sunday. */
  weekdayCounts: number[];
  /** By the locale's region subtag (coarse; never an IP). */
  countryCounts: Record<string, number>;
  sessions: number;
  /** Mean session length, first to last event. */
  sessionSeconds: number;
};

/** Streams every item interaction grouped by profile (time order within one), a page at a time. */
export async function forEachHistoryPage(d1: D1Database, siteId: string, onPage: (rows: HistoryRow[]) => void): Promise<number> {
  let cursor: [string, number, string] = ["", -1, ""];
  let total = 0;
  for (;;) {
    const { results } = await d1
      .prepare(
        `SELECT profile_id, item_id, type, ts, id FROM events
         WHERE site_id = ?1 AND item_id IS NOT NULL AND type IN (${PATH_TYPES_SQL}) AND (profile_id, ts, id) > (?2, ?3, ?4)
         ORDER BY profile_id, ts, id LIMIT ?5`,
      )
      .bind(siteId, cursor[0], cursor[1], cursor[2], TRAIN_PAGE_ROWS)
      .all<{ profile_id: string; item_id: string; type: EventType; ts: number; id: string }>();
    onPage(results.map((r) => ({ profileId: r.profile_id, itemId: r.item_id, type: r.type, ts: r.ts })));
    total += results.length;
    if (results.length < TRAIN_PAGE_ROWS) return total;
    const last = results[results.length - 1]!;
    cursor = [last.profile_id, last.ts, last.id];
  }
}

/** Streams the catalog in id order. */
export async function forEachCatalogPage(d1: D1Database, siteId: string, onPage: (rows: CatalogRow[]) => void): Promise<number> {
  let cursor = "";
  let total = 0;
  for (;;) {
    const { results } = await d1
      .prepare(`SELECT id, categories, tags, available FROM items WHERE site_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3`)
      .bind(siteId, cursor, TRAIN_PAGE_ROWS)
      .all<{ id: string; categories: string; tags: string; available: number }>();
    onPage(results.map((r) => ({ id: r.id, categories: JSON.parse(r.categories) as string[], tags: JSON.parse(r.tags) as string[], available: r.available === 1 })));
    total += results.length;
    if (results.length < TRAIN_PAGE_ROWS) return total;
    cursor = results[results.length - 1]!.id;
  }
}

// Only the counters of types whose share is a segmentation feature: the summary feeds nothing else.
const COUNT_COLUMNS = COUNTER_COLUMNS.filter(([type]) => SEGMENT_FEATURE_TYPES.includes(type));

/**
 * Which profiles a summary or history statement reads: a SQL subquery of profile ids, whose parameters are `binds`
 * from ?2 on (?1 is always the site).
 */
export type ProfileSelector = { sql: string; binds: (string | null)[] };

/** A page of profile ids. */
export const profileIdList = (ids: readonly string[]): ProfileSelector => ({ sql: "SELECT value FROM json_each(?2)", binds: [JSON.stringify(ids)] });

/**
 * The one profile a visitor's ids resolve to, as identities holds it: the user id's profile, else the anonymous
 * id's. A subquery, so the identity lookup rides in the same D1 round trip as the reads that use it.
 */
export const visitorProfile = (v: { userId?: string; anonymousId?: string }): ProfileSelector => ({
  sql: `SELECT COALESCE((SELECT profile_id FROM identities WHERE site_id = ?1 AND kind = 'user' AND external_id = ?2),
                        (SELECT profile_id FROM identities WHERE site_id = ?1 AND kind = 'anon' AND external_id = ?3))`,
  binds: [v.userId ?? null, v.anonymousId ?? null],
});

/**
 * The statements of the behaviour summaries of the profiles `who` selects: counters from `profiles`, category
 * shares from `profile_items` joined with the catalog, device, UTC hour and weekday, locale (as a country) and the
 * sessions' count and mean length from the raw log. Read them with summariesOf.
 */
function summaryStatements(d1: D1Database, siteId: string, who: ProfileSelector): D1PreparedStatement[] {
  const w = who.sql;
  const st = (sql: string) => d1.prepare(sql).bind(siteId, ...who.binds);
  return [
    st(`SELECT id, last_seen, event_count, ${COUNT_COLUMNS.map(([, c]) => c).join(", ")} FROM profiles WHERE site_id = ?1 AND id IN (${w})`),
    st(`SELECT pi.profile_id AS profile_id, c.value AS category, SUM(pi.interactions) AS n
        FROM profile_items pi JOIN items i ON i.site_id = pi.site_id AND i.id = pi.item_id, json_each(i.categories) c
        WHERE pi.site_id = ?1 AND pi.profile_id IN (${w})
        GROUP BY pi.profile_id, c.value`),
    st(`SELECT profile_id, COALESCE(json_extract(context, '$.device'), 'unknown') AS device, (ts / 3600000) % 24 AS hour, COUNT(*) AS n
        FROM events WHERE site_id = ?1 AND profile_id IN (${w})
        GROUP BY profile_id, device, hour`),
    // 1970-01-01 was a Thursday, so (days since the epoch + 4) % 7 is the weekday with 0 = Sunday.
    st(`SELECT profile_id, (ts / 86400000 + 4) % 7 AS weekday, COUNT(*) AS n
        FROM events WHERE site_id = ?1 AND profile_id IN (${w})
        GROUP BY profile_id, weekday`),
    st(`SELECT profile_id, json_extract(context, '$.locale') AS locale, COUNT(*) AS n
        FROM events WHERE site_id = ?1 AND profile_id IN (${w}) AND json_extract(context, '$.locale') IS NOT NULL
        GROUP BY profile_id, locale`),
    st(`SELECT profile_id, COUNT(*) AS sessions, AVG(span) AS span FROM (
          SELECT profile_id, MAX(ts) - MIN(ts) AS span FROM events
          WHERE site_id = ?1 AND profile_id IN (${w}) GROUP BY profile_id, session_id
        ) GROUP BY profile_id`),
  ];
}
const SUMMARY_STATEMENTS = 6;

function summariesOf([base, cats, ctx, days, locales, visits]: D1Result[]): ProfileSummary[] {
  const out = new Map<string, ProfileSummary>();
  for (const r of base!.results as Record<string, number | string>[]) {
    const counts: Partial<Record<EventType, number>> = {};
    for (const [type, col] of COUNT_COLUMNS) counts[type] = Number(r[col]);
    out.set(String(r.id), {
      profileId: String(r.id),
      lastSeen: Number(r.last_seen),
      eventCount: Number(r.event_count),
      counts,
      categoryCounts: {},
      deviceCounts: {},
      hourCounts: new Array<number>(24).fill(0),
      weekdayCounts: new Array<number>(7).fill(0),
      countryCounts: {},
      sessions: 0,
      sessionSeconds: 0,
    });
  }
  for (const r of cats!.results as { profile_id: string; category: string; n: number }[]) {
    const p = out.get(r.profile_id);
    if (p) p.categoryCounts[r.category] = r.n;
  }
  for (const r of ctx!.results as { profile_id: string; device: string; hour: number; n: number }[]) {
    const p = out.get(r.profile_id);
    if (!p) continue;
    p.deviceCounts[r.device] = (p.deviceCounts[r.device] ?? 0) + r.n;
    p.hourCounts[r.hour] = (p.hourCounts[r.hour] ?? 0) + r.n;
  }
  for (const r of days!.results as { profile_id: string; weekday: number; n: number }[]) {
    const p = out.get(r.profile_id);
    if (p) p.weekdayCounts[r.weekday] = (p.weekdayCounts[r.weekday] ?? 0) + r.n;
  }
  for (const r of locales!.results as { profile_id: string; locale: string; n: number }[]) {
    const p = out.get(r.profile_id);
    const country = countryOf(String(r.locale));
    if (p && country) p.countryCounts[country] = (p.countryCounts[country] ?? 0) + r.n;
  }
  for (const r of visits!.results as { profile_id: string; sessions: number; span: number }[]) {
    const p = out.get(r.profile_id);
    if (!p) continue;
    p.sessions = Number(r.sessions);
    p.sessionSeconds = Number(r.span) / 1000;
  }
  return [...out.values()];
}


/** Behaviour summaries of the profiles in `profileIds` (at most a page), in one D1 round trip. */
export async function profileSummaries(d1: D1Database, siteId: string, profileIds: readonly string[]): Promise<ProfileSummary[]> {
  if (profileIds.length === 0) return [];
  return summariesOf(await d1.batch(summaryStatements(d1, siteId, profileIdList(profileIds))));
}

/** Profile ids of a site in pages (for segment training). */
export async function forEachProfileIdPage(d1: D1Database, siteId: string, pageSize: number, onPage: (ids: string[]) => Promise<void>): Promise<number> {
  let cursor = "";
  let total = 0;
  for (;;) {
    const { results } = await d1
      .prepare(`SELECT id FROM profiles WHERE site_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3`)
      .bind(siteId, cursor, pageSize)
      .all<{ id: string }>();
    if (results.length > 0) await onPage(results.map((r) => r.id));
    total += results.length;
    if (results.length < pageSize) return total;
    cursor = results[results.length - 1]!.id;
  }
}

export type HistoryItem = { itemId: string; lastTs: number; interactions: number; carts: number; purchases: number; type: EventType };

/**
 * What the recommend path reads about the visitor in front of it, in one D1 round trip (identity lookup included):
 * their profile id, item history (newest first, bounded; `type` is the strongest interaction profile_items can
 * tell: it counts carts and purchases, everything else reads as a view) and, with `summary`, the behaviour summary
 * segment assignment needs. A visitor without a profile gets `profileId: null`, no history and no summary.
 */
export async function visitorReads(
  d1: D1Database,
  siteId: string,
  v: { userId?: string; anonymousId?: string },
  limit: number,
  summary: boolean,
): Promise<{ profileId: string | null; history: HistoryItem[]; summary: ProfileSummary | null }> {
  const who = visitorProfile(v);
  const limitAt = who.binds.length + 2;
  const [id, items, ...rest] = await d1.batch([
    d1.prepare(`SELECT (${who.sql}) AS profile_id`).bind(siteId, ...who.binds),
    d1
      .prepare(
        `SELECT item_id, last_ts, interactions, carts, purchases FROM profile_items WHERE site_id = ?1 AND profile_id IN (${who.sql})
         ORDER BY last_ts DESC LIMIT ?${limitAt}`,
      )
      .bind(siteId, ...who.binds, limit),
    ...(summary ? summaryStatements(d1, siteId, who) : []),
  ]);
  const profileId = (id!.results[0] as { profile_id: string | null } | undefined)?.profile_id ?? null;
  const history = (items!.results as { item_id: string; last_ts: number; interactions: number; carts: number; purchases: number }[]).map(
    (r): HistoryItem => ({
      itemId: r.item_id,
      lastTs: r.last_ts,
      interactions: r.interactions,
      carts: r.carts,
      purchases: r.purchases,
      type: r.purchases > 0 ? "purchase" : r.carts > 0 ? "add_to_cart" : "view",
    }),
  );
  return { profileId, history, summary: rest.length === SUMMARY_STATEMENTS ? (summariesOf(rest)[0] ?? null) : null };
}

/** Profile ids with their event counts, in id order and pages (the segment training's sampling pass). */
export async function forEachProfileCountPage(
  d1: D1Database,
  siteId: string,
  pageSize: number,
  onPage: (rows: { id: string; eventCount: number }[]) => Promise<void>,
): Promise<number> {
  let cursor = "";
  let total = 0;
  for (;;) {
    const { results } = await d1
      .prepare(`SELECT id, event_count FROM profiles WHERE site_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3`)
      .bind(siteId, cursor, pageSize)
      .all<{ id: string; event_count: number }>();
    if (results.length > 0) await onPage(results.map((r) => ({ id: r.id, eventCount: Number(r.event_count) })));
    total += results.length;
    if (results.length < pageSize) return total;
    cursor = results[results.length - 1]!.id;
  }
}
