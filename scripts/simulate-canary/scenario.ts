// The simulator's canary scenario (issue 10 part 7), through the real HTTP API only: ship a deliberately bad model
// version (POST /admin/models/:site/canary with build "random": the served version's lists replaced by random
// items) to a share of visitors, let the caller's synthetic visitors browse, and run the guardrail until it decides.
// The simulator (scripts/simulate.ts) wires it in; it passes `sendTraffic`, which plays that many visitors.

export type CanaryScenarioOptions = {
  baseUrl: string;
  adminToken: string;
  siteId: string;
  writeKey: string;
  log: (msg: string) => void;
  /** Plays this many synthetic visitors (served lists, impressions, clicks) and resolves when their events were sent. */
  sendTraffic: (visitors: number) => Promise<void>;
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

export type CanaryScenarioResult = { decision: "promoted" | "rolled_back" | "none"; figures: unknown };

type Evaluation = {
  decision: "promoted" | "rolled_back" | "none";
  canary: string;
  current: string;
  figures: { rule: string; pValue: number | null; relativeDrop: number | null; canary: Arm; current: Arm };
};
type Arm = { impressions: number; clicks: number; ctr: number | null };
type ModelsView = { current: { version: string } | null; canary: { version: string } | null };
type SiteView = { config: Record<string, unknown> };

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(2)}%`);

/** Runs the scenario; returns the guardrail's decision and the figures it was made on. */
export async function canaryScenario(opts: CanaryScenarioOptions): Promise<CanaryScenarioResult> {
  const { baseUrl, siteId, log } = opts;
  const site = encodeURIComponent(siteId);
  const call = async <T>(method: string, path: string, body?: unknown, okStatuses: number[] = [200, 201]): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${opts.adminToken}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!okStatuses.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  };

  const view = (await call<ModelsView>("GET", `/admin/models?site=${site}`)).json;
  if (!view.current) {
    log("canary: the site has no model yet; training one");
    await call("POST", `/admin/retrain?site=${site}`);
  }
  if (view.canary) {
    log(`canary: rolling back the pending canary ${view.canary.version} first`);
    await call("POST", `/admin/models/${site}/rollback`);
  }

  // The guardrail's minimum for this run goes into the site's canary policy; the operator's config comes back after.
  const original = (await call<SiteView>("GET", `/admin/sites/${site}`)).json.config;
  const policy = { ...((original.canary as Record<string, unknown> | undefined) ?? {}), minImpressions: opts.minImpressions ?? 500 };
  await call("PUT", `/admin/sites/${site}/config`, { ...original, canary: policy });
  try {
    const started = (await call<{ canary: { version: string; share: number }; current: { version: string } }>("POST", `/admin/models/${site}/canary`, { build: "random", share: opts.share ?? 0.5 })).json;
    log(`canary: shipped random-list version ${started.canary.version} to ${started.canary.share * 100}% of visitors (current ${started.current.version})`);

    let last: Evaluation | null = null;
    const rounds = opts.maxRounds ?? 8;
    for (let round = 1; round <= rounds; round++) {
      await opts.sendTraffic(opts.visitorsPerRound ?? 200);
      // 409 retrain_running: a retrain or the cron's guardrail holds the site's lease; the next round retries.
      const res = await call<Evaluation | { error: { code: string } }>("POST", `/admin/models/${site}/canary/evaluate`, undefined, [200, 409]);
      if (res.status === 409) {
        const code = (res.json as { error: { code: string } }).error.code;
        if (code === "no_canary") break; // decided by the cron meanwhile: read below
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
    if (!last || last.decision === "none") {
      // The cron may have decided between rounds: the decision history says.
      const history = (await call<{ decisions: { decision: "promoted" | "rolled_back"; version: string; figures: unknown }[] }>("GET", `/admin/models?site=${site}`)).json;
      const recorded = history.decisions.find((d) => d.version === started.canary.version);
      if (recorded) return { decision: recorded.decision, figures: recorded.figures };
      // Undecided: a random model must not keep serving half the visitors after the run.
      log(`canary: no decision after ${rounds} rounds; rolling the canary back by hand`);
      await call("POST", `/admin/models/${site}/rollback`);
      return { decision: "none", figures: last?.figures ?? null };
    }
    return { decision: last.decision, figures: { canaryVersion: last.canary, currentVersion: last.current, ...last.figures } };
  } finally {
    await call("PUT", `/admin/sites/${site}/config`, original);
  }
}
