// Every KV key edgerec writes, built in one place (KV keys are at most 512 bytes; site ids are short).

export const kvKeys = {
  /** The site's model manifest: flipped last, after every shard of a new version is written. */
  manifest: (siteId: string) => `m/${siteId}/manifest`,
  shard: (siteId: string, version: string, index: number) => `m/${siteId}/${version}/s/${index}`,
  trending: (siteId: string, version: string) => `m/${siteId}/${version}/trending`,
  personalShard: (siteId: string, version: string, index: number) => `m/${siteId}/${version}/p/${index}`,
  personalData: (siteId: string, version: string) => `m/${siteId}/${version}/personal`,
  /** Trending refreshed between retrains (not versioned: it is rewritten every few minutes). */
  trendingLive: (siteId: string) => `m/${siteId}/trending-live`,
  statsPart: (siteId: string, version: string, part: number) => `m/${siteId}/${version}/stats/${part}`,
  /** Prefix of everything one version wrote, for pruning. */
  versionPrefix: (siteId: string, version: string) => `m/${siteId}/${version}/`,
};
