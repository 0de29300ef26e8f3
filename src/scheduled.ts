// Cron dispatch: wrangler.toml [triggers] crons map to jobs here.
import { runRetrain } from "./models/train";
import { resumeErasures } from "./privacy/erasure";
import { runRetention } from "./privacy/retention";
import { refreshTrending } from "./models/trending-refresh";

export const RETRAIN_CRON = "0 * * * *";
export const RETENTION_CRON = "30 3 * * *";
export const TRENDING_CRON = "*/10 * * * *";

export async function scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  switch (controller.cron) {
    case RETRAIN_CRON:
      await runRetrain(env, controller.scheduledTime);
      return;
    case TRENDING_CRON: {
      // Two independent jobs on one trigger: a failing erasure run must not stop the trending refresh, nor the reverse.
      const [trending, erasures] = await Promise.allSettled([refreshTrending(env, controller.scheduledTime), resumeErasures(env)]);
      if (erasures.status === "rejected") logJobError("erasure-resume", erasures.reason);
      if (trending.status === "rejected") throw trending.reason;
      return;
    }
    case RETENTION_CRON:
      await runRetention(env, controller.scheduledTime);
      return;
    default:
      console.warn(JSON.stringify({ job: "unknown", cron: controller.cron }));
  }
}

function logJobError(job: string, err: unknown): void {
  console.error(JSON.stringify({ level: "error", job, message: err instanceof Error ? err.message : String(err) }));
}
