// The models page's canary panel.
// ADAPTER (issue 10 part 6, to switch): the canary model rollout (src/routes/admin-models.ts and its models view
// function) is being built concurrently. Until it lands there is no canary state, so this returns null and the page
// says so. When it lands, return its view here (the page renders every field of CanaryView) and point the page's
// canary buttons at its endpoints.
export type CanaryView = {
  /** The candidate version served to a share of traffic. */
  candidate: string;
  /** The version it is compared with. */
  baseline: string;
  /** Share of traffic on the candidate (0..1). */
  share: number;
  state: "running" | "promoted" | "rolled_back";
  /** Figures the guardrail decided on (or watches), e.g. impressions and CTR of each side. */
  figures: Record<string, number | string>;
  decidedAt: number | null;
};

export async function canaryView(_env: Env, _site: string): Promise<CanaryView | null> {
  return null;
}
