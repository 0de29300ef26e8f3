// Refreshes each site's trending list between hourly retrains (cron every 10 minutes): one aggregate query over the
// last week of events per site, one KV write per site. Serving prefers this list over the version's own.
import { encodePopular } from "./artifact";
import type { Neighbour } from "../recommend/types";
import { kvKeys } from "../storage/kv-keys";
import { trendingItems } from "../storage/training-repo";
import { TRENDING_WINDOW } from "../storage/trending-sql";

// The window lives beside the query (Node tools import it without Worker types); re-exported for the jobs.
export { TRENDING_WINDOW } from "../storage/trending-sql";

/**
 * The site's trending items, best first, each id once. SQLite groups item ids by their bytes, and rows written
 * before ids had to be well-formed hold invalid UTF-8 (a lone surrogate through json_each) that reads back as the
 * same U+FFFD string for several distinct byte sequences. Keeping the first (best) of each id means such old rows
 * cannot keep a site's training or trending down (encodePopular refuses duplicates).
 */
export async function trendingList(d1: D1Database, siteId: string, now: number): Promise<{ itemId: string; score: number }[]> {
  const rows = await trendingItems(d1, siteId, now, TRENDING_WINDOW);
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.itemId) && seen.add(r.itemId));
}

/** Scores scaled so the best item has 1 (the form artifacts store). */
export function normalised(list: readonly { itemId: string; score: number }[]): Neighbour[] {
  const max = list[0]?.score || 1;
  return list.map((t) => ({ itemId: t.itemId, score: t.score / max }));
}

/** Every site in turn; one site's failure is logged and does not stop the others. */
export async function refreshTrending(env: Env, now: number): Promise<{ sites: number; failed: string[] }> {
  const { results } = await env.DB.prepare("SELECT id FROM sites ORDER BY id").all<{ id: string }>();
  const failed: string[] = [];
  for (const { id } of results) {
    try {
      const rows = await trendingList(env.DB, id, now);
      if (rows.length === 0) continue;
      await env.MODELS.put(kvKeys.trendingLive(id), encodePopular(normalised(rows)));
      console.log(JSON.stringify({ job: "trending", siteId: id, items: rows.length }));
    } catch (err) {
      failed.push(id);
      console.error(JSON.stringify({ job: "trending", siteId: id, error: err instanceof Error ? err.message : String(err) }));
    }
  }
  return { sites: results.length, failed };
}
