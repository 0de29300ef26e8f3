// Cron dispatch: wrangler.toml [triggers] crons map to jobs here.
import { runRetrain } from "./models/train";
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
    case TRENDING_CRON:
      await refreshTrending(env, controller.scheduledTime);
      return;
    case RETENTION_CRON:
      await runRetention(env, controller.scheduledTime);
      return;
    default:
      console.warn(JSON.stringify({ job: "unknown", cron: controller.cron }));
  }
}
