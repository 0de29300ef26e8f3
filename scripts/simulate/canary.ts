// The canary scenario of `npm run simulate` (issue 10 part 7): ship a deliberately bad model version (random
// items) as a canary and show the guardrail rolling it back. Filled by the canary work; until then it reports null.
import type { SimulationContext } from "./api";

/** What the canary scenario reports in the simulator's JSON (`canary`). */
export type CanaryReport = Record<string, unknown>;

/**
 * Filled by the canary work: runs the bad-canary scenario against the running Worker (`ctx.api`, the demo site,
 * the shoppers and the click model) and returns its decision and figures. Returns null for now.
 */
export async function runCanaryScenario(_ctx: SimulationContext): Promise<CanaryReport | null> {
  return null;
}
