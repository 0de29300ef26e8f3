// The dashboard's interval shape over the one Wilson implementation (src/recommend/stats.ts): the slots page's
// bands and the experiments page's rates.
import { wilsonInterval, Z_95 } from "../../recommend/stats";

/** Wilson score interval of `successes` out of `trials` as {rate, lo, hi}; null without trials. */
export function wilson(successes: number, trials: number, z = Z_95): { rate: number; lo: number; hi: number } | null {
  if (!(trials > 0)) return null;
  const { low, high } = wilsonInterval(successes, trials, z);
  return { rate: Math.min(1, Math.max(0, successes / trials)), lo: low, hi: high };
}
