// Refreshes each site's trending list between hourly retrains (cron every 10 minutes): one aggregate query over the
// last week of events per site, one KV write per site. Serving prefers this list over the version's own.
import { encodePopular } from "./artifact";
import { normalised } from "../recommend/trending";
import { kvKeys } from "../storage/kv-keys";
import { trendingItems } from "../storage/training-repo";
import { TRENDING_WINDOW } from "../storage/trending-sql";

// The window lives beside the query (Node tools import it without Worker types); re-exported for the jobs.
export { TRENDING_WINDOW } from "../storage/trending-sql";
export { normalised } from "../recommend/trending";

/** The site's trending items with the production window, best first, each id once. */
export function trendingList(d1: D1Database, siteId: string, now: number): Promise<{ itemId: string; score: number }[]> {
  return trendingItems(d1, siteId, now, TRENDING_WINDOW);
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
