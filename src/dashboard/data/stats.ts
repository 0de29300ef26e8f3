// The dashboard's own interval: the Wilson score interval of a proportion (CTR, conversion per impression), used for
// the slots page's bands and, until the lead switches it to src/recommend/experiment-results.ts, the experiments page.

/** z of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval of `successes` out of `trials` (Wilson 1927): unlike the normal approximation it stays
 * inside [0, 1] and is sensible for small counts and rates near 0. Null without trials.
 */
export function wilson(successes: number, trials: number, z = Z95): { rate: number; lo: number; hi: number } | null {
  if (!(trials > 0)) return null;
  const p = Math.min(1, Math.max(0, successes / trials));
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  return { rate: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}
