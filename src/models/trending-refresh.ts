// Refreshes each site's trending list between hourly retrains (cron every 10 minutes): one aggregate query over the
// last week of events per site, one KV write per site. Serving prefers this list over the version's own.
import { encodePopular } from "./artifact";
import { kvKeys } from "../storage/kv-keys";
import { trendingItems } from "../storage/training-repo";
import { TRENDING_WINDOW } from "../storage/trending-sql";

// The window lives beside the query (Node tools import it without Worker types); re-exported for the jobs.
export { TRENDING_WINDOW } from "../storage/trending-sql";

export async function refreshTrending(env: Env, now: number): Promise<{ sites: number }> {
  const { results } = await env.DB.prepare("SELECT id FROM sites ORDER BY id").all<{ id: string }>();
  for (const { id } of results) {
    const rows = await trendingItems(env.DB, id, now, TRENDING_WINDOW);
    if (rows.length === 0) continue;
    const max = rows[0]!.score;
    await env.MODELS.put(kvKeys.trendingLive(id), encodePopular(rows.map((r) => ({ itemId: r.itemId, score: r.score / max }))));
    console.log(JSON.stringify({ job: "trending", siteId: id, items: rows.length }));
  }
  return { sites: results.length };
}
