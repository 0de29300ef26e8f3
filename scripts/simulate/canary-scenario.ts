// The simulator's canary scenario (issue 10 part 7), through the real HTTP API only: ship a deliberately bad model
// version (POST /admin/models/:site/canary with build "random": the served version's lists replaced by random
// items) to a share of visitors, let the caller's synthetic visitors browse, and run the guardrail until it decides.
// scripts/simulate/canary.ts wires it into `npm run simulate`; it passes `sendTraffic`, the simulator's own visits.
import { admin, adminResponse, poll, type Api } from "./api";

export type CanaryScenarioOptions = {
  api: Api;
  siteId: string;
  log: (msg: string) => void;
  /**
   * Plays this many synthetic visitors (served lists, impressions, clicks) on `slot` and resolves with the
   * impressions sent once their events were accepted.
   */
  sendTraffic: (visitors: number, round: number) => Promise<number>;
  /** Visitors per round of traffic (default 200). */
  visitorsPerRound?: number;
  /** Rounds of traffic before giving up on a decision (default 8). */
  maxRounds?: number;
  /** The canary's share of visitors (default 0.5: the simulation wants both arms' samples quickly). */
  share?: number;
  /**
   * The guardrail's minimum impressions per arm for this run, set in the site's canary policy and restored after
   * (default 500: a few hundred visitors' worth, enough to see a random model's CTR collapse).
   */
  minImpressions?: number;
};

type Arm = { impressions: number; clicks: number; ctr: number | null };
/** The guardrail's figures as POST /canary/evaluate and GET /admin/models report them. */
export type GuardrailFigures = { rule: string; pValue: number | null; z: number | null; relativeDrop: number | null; canary: Arm; current: Arm };

export type CanaryScenarioResult = {
  decision: "promoted" | "rolled_back" | "none";
  canaryVersion: string;
  currentVersion: string;
  share: number;
  rounds: number;
  figures: GuardrailFigures | null;
};

type Evaluation = { decision: "promoted" | "rolled_back" | "none"; canary: string; current: string; figures: GuardrailFigures };
type ModelsView = {
  current: { version: string } | null;
  canary: { version: string; guardrail: GuardrailFigures } | null;
  decisions: { decision: "promoted" | "rolled_back"; version: string; figures: GuardrailFigures }[];
};
type SiteView = { config: Record<string, unknown> };

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(2)}%`);

/** Runs the scenario; returns the guardrail's decision and the figures it was made on. */
export async function canaryScenario(opts: CanaryScenarioOptions): Promise<CanaryScenarioResult> {
  const { api, siteId, log } = opts;
  const site = encodeURIComponent(siteId);
  const models = () => admin<ModelsView>(api, "GET", `/admin/models?site=${site}`);

  const view = await models();
  if (!view.current) {
    log("canary: the site has no model yet; training one");
    await admin(api, "POST", `/admin/retrain?site=${site}`);
  }
  if (view.canary) {
    log(`canary: rolling back the pending canary ${view.canary.version} first`);
    await admin(api, "POST", `/admin/models/${site}/rollback`);
  }

  // The guardrail's minimum for this run goes into the site's canary policy; the operator's config comes back after.
  const original = (await admin<SiteView>(api, "GET", `/admin/sites/${site}`)).config;
  const policy = { ...((original.canary as Record<string, unknown> | undefined) ?? {}), minImpressions: opts.minImpressions ?? 500 };
  await admin(api, "PUT", `/admin/sites/${site}/config`, { ...original, canary: policy });
  try {
    const started = await admin<{ canary: { version: string; share: number }; current: { version: string } }>(api, "POST", `/admin/models/${site}/canary`, {
      build: "random",
      share: opts.share ?? 0.5,
    });
    const result = (decision: CanaryScenarioResult["decision"], rounds: number, figures: GuardrailFigures | null): CanaryScenarioResult => ({
      decision,
      canaryVersion: started.canary.version,
      currentVersion: started.current.version,
      share: started.canary.share,
      rounds,
      figures,
    });
    log(`canary: shipped random-list version ${started.canary.version} to ${started.canary.share * 100}% of visitors (current ${started.current.version})`);

    let last: Evaluation | null = null;
    let sent = 0;
    const rounds = opts.maxRounds ?? 8;
    let round = 1;
    for (; round <= rounds; round++) {
      sent += await opts.sendTraffic(opts.visitorsPerRound ?? 200, round);
      // Rollups may count after ingest answers: wait (bounded) until the guardrail's reading holds what was sent.
      const counted = (v: ModelsView) => (v.canary ? v.canary.guardrail.canary.impressions + v.canary.guardrail.current.impressions : Infinity);
      const { value, settled } = await poll(models, (v) => counted(v) >= sent, 60_000);
      if (!settled) log(`canary: round ${round}: only ${counted(value)} of ${sent} impressions counted after 60 s`);
      // 409: no_canary (the cron decided meanwhile: read below) or retrain_running (a lease is held: retry next round).
      const res = await adminResponse<Evaluation | { error: { code: string } }>(api, "POST", `/admin/models/${site}/canary/evaluate`, undefined, [200, 409]);
      if (res.status === 409) {
        const code = (res.json as { error: { code: string } }).error.code;
        if (code === "no_canary") break;
        log(`canary: round ${round}: ${code}, retrying`);
        continue;
      }
      last = res.json as Evaluation;
      const f = last.figures;
      log(
        `canary: round ${round}: canary ${f.canary.impressions} impressions CTR ${pct(f.canary.ctr)}, current ${f.current.impressions} impressions CTR ${pct(f.current.ctr)}` +
          ` -> ${last.decision} (${f.rule}${f.pValue !== null ? `, p=${f.pValue.toExponential(2)}` : ""})`,
      );
      if (last.decision !== "none") break;
    }
    if (last && last.decision !== "none") return result(last.decision, round, last.figures);
    // The cron may have decided between rounds: the decision history says.
    const recorded = (await models()).decisions.find((d) => d.version === started.canary.version);
    if (recorded) return result(recorded.decision, round, recorded.figures);
    // Undecided: a random model must not keep serving half the visitors after the run.
    log(`canary: no decision after ${rounds} rounds; rolling the canary back by hand`);
    await admin(api, "POST", `/admin/models/${site}/rollback`);
    return result("none", rounds, last?.figures ?? null);
  } finally {
    await admin(api, "PUT", `/admin/sites/${site}/config`, original);
  }
}
