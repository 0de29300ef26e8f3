// The canary scenario of `npm run simulate` (issue 10 part 7): ship a deliberately bad model version (random
// items) as a canary and show the guardrail rolling it back, with the simulator's own visitors and click model.
import { canaryScenario, type CanaryScenarioResult } from "./canary-scenario";
import { runPool, SITE, type SimulationContext } from "./api";
import { visit } from "./traffic";

/** What the canary scenario reports in the simulator's JSON (`canary`). */
export type CanaryReport = CanaryScenarioResult & { sent: { visitors: number; lists: number; impressions: number; clicks: number } };

/**
 * Its own slot, outside the experiment: the guardrail compares the versions on the slots the canary was served in,
 * so the current version's side is this traffic only (not the experiment's lists of the same day).
 */
export const CANARY_SLOT = "product-canary";

/**
 * Runs the bad-canary scenario against the running Worker: returning shoppers (they have a history, so the served
 * model's lists match their taste and a random list shows) visit `pages` product pages a round.
 */
export async function runCanaryScenario(ctx: SimulationContext, opts: { pages: number; k: number; concurrency: number }): Promise<CanaryReport> {
  const sent = { visitors: 0, lists: 0, impressions: 0, clicks: 0 };
  const result = await canaryScenario({
    api: ctx.api,
    siteId: SITE,
    log: (s) => ctx.log(`${s}\n`),
    sendTraffic: async (n, round) => {
      const before = sent.impressions;
      const visitors = Array.from({ length: n }, (_, i) => ctx.shoppers[(sent.visitors + i) % ctx.shoppers.length]!);
      await runPool(visitors, opts.concurrency, async (s, i) => {
        const c = await visit(ctx.api, ctx.shop, s, { seed: ctx.seed * 9_000_011 + round * 100_003 + i, pages: opts.pages, slot: CANARY_SLOT, k: opts.k });
        sent.lists += c.lists;
        sent.impressions += c.impressions;
        sent.clicks += c.clicks;
      });
      sent.visitors += n;
      return sent.impressions - before;
    },
  });
  return { ...result, sent };
}
