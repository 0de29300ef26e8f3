// `npm run bench -- trending`: time of the trending query (the 10-minute refresh, retrain and no-model fallback) on a
// week of synthetic shop traffic in Miniflare's D1, with and without the per-visitor cap and burst damping, and
// where two attacks (one visitor's 1,000 purchases, 1,000 invented visitors) land in each ranking.
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { seededRandom } from "../src/recommend/random";
import { PATH_TYPES_SQL } from "../src/schemas/event-types";
import { TRENDING_SQL, TRENDING_WEIGHT_SQL, TRENDING_WINDOW, trendingParams } from "../src/storage/trending-sql";
import { applyMigrations, type BenchDb as Db } from "./miniflare";

const SITE = "bench";
const DAY = 86_400_000;
const RUNS = 7;
const INSERT_ROWS = 2000;

// The query before issue 8 (every event counts in full), kept to measure what the caps cost; same weights and path
// types as the real query (both from the event-type table).
const UNCAPPED_SQL = `SELECT item_id, SUM(${TRENDING_WEIGHT_SQL} / (1.0 + (?2 - ts) / ?3)) AS score
  FROM events WHERE site_id = ?1 AND ts > ?4 AND item_id IS NOT NULL AND type IN (${PATH_TYPES_SQL})
  GROUP BY item_id ORDER BY score DESC LIMIT ?5`;

type Row = { id: string; type: string; profile: string; item: string; ts: number; receivedAt: number };

/** A week and a bit of traffic: Zipf-like item popularity, a few very active visitors, typical event mix. */
function syntheticEvents(opts: { events: number; visitors: number; items: number; now: number }): Row[] {
  const rnd = seededRandom(8);
  const zipf = (n: number) => Math.min(n - 1, Math.floor(Math.exp(rnd() * Math.log(n + 1)) - 1));
  const rows: Row[] = [];
  for (let i = 0; i < opts.events; i++) {
    const r = rnd();
    const type = r < 0.8 ? "view" : r < 0.9 ? "click" : r < 0.96 ? "add_to_cart" : r < 0.99 ? "purchase" : "like";
    // 10% of the rows fall before the window (the refresh skips them through the (site_id, ts) index).
    const ts = opts.now - Math.floor(rnd() * 7.7 * DAY);
    rows.push({ id: `e${i}`, type, profile: `v${zipf(opts.visitors)}`, item: `i${zipf(opts.items)}`, ts, receivedAt: ts + 500 });
  }
  return rows;
}

function attacks(now: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 1000; i++) rows.push({ id: `h${i}`, type: "purchase", profile: "hoarder", item: "attack-one-visitor", ts: now - i, receivedAt: now - i });
  for (let i = 0; i < 1000; i++) rows.push({ id: `b${i}`, type: "purchase", profile: `bot-${i}`, item: "attack-new-ids", ts: now - i, receivedAt: now - i });
  return rows;
}

async function insert(db: Db, rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const chunk = rows.slice(i, i + INSERT_ROWS).map((r) => [r.id, r.type, r.profile, r.item, r.ts, r.receivedAt]);
    await db
      .prepare(
        `INSERT INTO events (site_id, id, type, anonymous_id, session_id, item_id, profile_id, ts, received_at)
         SELECT ?1, value->>0, value->>1, value->>2, value->>2, value->>3, value->>2, value->>4, value->>5 FROM json_each(?2)`,
      )
      .bind(SITE, JSON.stringify(chunk))
      .run();
  }
}

async function time(db: Db, sql: string, params: (string | number)[]): Promise<{ medianMs: number; sqlMs: number; ranks: Map<string, number> }> {
  const wall: number[] = [];
  const inDb: number[] = [];
  let ranks = new Map<string, number>();
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    // Miniflare types its D1 proxy with @cloudflare/workers-types, which this project does not install: name the shape.
    const res: { results: { item_id: string }[]; meta: { duration: number } } = await db.prepare(sql).bind(...params).all();
    wall.push(performance.now() - t0);
    inDb.push(res.meta.duration);
    ranks = new Map(res.results.map((r, rank) => [r.item_id, rank + 1]));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { medianMs: median(wall), sqlMs: median(inDb), ranks };
}

export async function benchTrending(opts: { events: number; visitors: number; items: number }): Promise<Record<string, number | string>> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: "export default { fetch() { return new Response(null, { status: 404 }); } };",
      compatibilityDate: "2026-08-01",
      cf: false,
      d1Databases: { DB: "bench-trending" },
    }),
  );
  try {
    const db = await mf.getD1Database("DB");
    await applyMigrations(db);
    const now = Date.now();
    await insert(db, [...syntheticEvents({ ...opts, now }), ...attacks(now)]);
    const params = trendingParams(SITE, now, TRENDING_WINDOW);
    const before = await time(db, UNCAPPED_SQL, params.slice(0, 5));
    const after = await time(db, TRENDING_SQL, params);
    const rank = (m: Map<string, number>, item: string) => m.get(item) ?? `>${TRENDING_WINDOW.limit}`;
    return {
      events: opts.events + 2000,
      visitors: opts.visitors,
      items: opts.items,
      uncappedMedianMs: Math.round(before.medianMs * 10) / 10,
      uncappedSqlMs: before.sqlMs,
      cappedMedianMs: Math.round(after.medianMs * 10) / 10,
      cappedSqlMs: after.sqlMs,
      oneVisitorRankUncapped: rank(before.ranks, "attack-one-visitor"),
      oneVisitorRankCapped: rank(after.ranks, "attack-one-visitor"),
      newIdsRankUncapped: rank(before.ranks, "attack-new-ids"),
      newIdsRankCapped: rank(after.ranks, "attack-new-ids"),
    };
  } finally {
    await mf.dispose();
  }
}
