// Cron dispatch: wrangler.toml [triggers] crons map to jobs here.
import { runRetrain } from "./models/train";
import { resumeErasures } from "./privacy/erasure";
import { runRetention } from "./privacy/retention";
import { refreshTrending } from "./models/trending-refresh";
import { evaluateCanaries } from "./models/canary-jobs";
import { CRONS, RETENTION_CRON, RETRAIN_CRON, TRENDING_CRON } from "./config/crons";

export { CRONS, RETENTION_CRON, RETRAIN_CRON, TRENDING_CRON };

export async function scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  switch (controller.cron) {
    case RETRAIN_CRON:
      await runRetrain(env, controller.scheduledTime);
      return;
    case TRENDING_CRON: {
      // Independent jobs on one trigger: a failing erasure run or canary guardrail must not stop the trending
      // refresh, nor the reverse.
      const [trending, erasures, canaries] = await Promise.allSettled([
        refreshTrending(env, controller.scheduledTime),
        resumeErasures(env),
        evaluateCanaries(env, controller.scheduledTime),
      ]);
      if (erasures.status === "rejected") logJobError("erasure-resume", erasures.reason);
      if (canaries.status === "rejected") logJobError("canary-guardrail", canaries.reason);
      if (trending.status === "rejected") throw trending.reason;
      return;
    }
    case RETENTION_CRON:
      await runRetention(env, controller.scheduledTime);
      return;
    default: {
      // A trigger with no job (a cron added to wrangler.toml only, a typo, or wrangler dev's bare
      // /cdn-cgi/local/scheduled, which sends no cron) must fail the invocation, not report success having done nothing.
      const message = `unknown cron ${JSON.stringify(controller.cron)}: no job runs on it (known: ${CRONS.join(", ")})`;
      logJobError("unknown-cron", new Error(message));
      throw new Error(message);
    }
  }
}

function logJobError(job: string, err: unknown): void {
  console.error(JSON.stringify({ level: "error", job, message: err instanceof Error ? err.message : String(err) }));
}
