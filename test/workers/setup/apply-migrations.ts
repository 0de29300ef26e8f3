// Runs before each workers test file, inside workerd: applies migrations/ from scratch to the file's fresh D1.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
