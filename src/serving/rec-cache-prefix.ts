// The KV key prefix under which one visitor's cached recommendation lists live (serving/rec-cache.ts), so an
// erasure can list and delete them. It must follow recCacheKey's `<who>` part exactly.

/** `who` is `u:<userId>` or `a:<anonymousId>`; every cached list of that visitor starts with the returned prefix. */
export function recCacheVisitorPrefix(siteId: string, who: string): string {
  return `r/${siteId}/${encodeURIComponent(who)}/`;
}
