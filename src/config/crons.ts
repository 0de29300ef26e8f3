// The cron expressions this Worker has jobs for. wrangler.toml [triggers] crons must list exactly these
// (test/unit/lib/crons.test.ts checks); src/scheduled.ts dispatches on them and fails on any other.
export const RETRAIN_CRON = "0 * * * *";
export const RETENTION_CRON = "30 3 * * *";
export const TRENDING_CRON = "*/10 * * * *";
export const CRONS: readonly string[] = [RETRAIN_CRON, TRENDING_CRON, RETENTION_CRON];
