// Four vitest projects: pure modules in Node, Worker code inside workerd, the real Segment/RudderStack clients against
// the built Worker over HTTP, and the embed snippet in Chromium.
import path from "node:path";
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { TEST_RATE_LIMITS } from "./test/workers/rate-limits.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          test: {
            name: "unit",
            environment: "node",
            include: ["test/unit/**/*.test.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              remoteBindings: false,
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: "test-admin-token" },
                // Small limits so a test can spend them with a few dozen requests. Every test makes its own site, and
                // only rate-limit tests send cf-connecting-ip more than once; the per-site limits stay above what any
                // other test sends to one site. Same period as production, so Retry-After is the same.
                // The ingest consumer with wrangler.toml's retries and dead-letter queue but a short batch window, so a
                // test waiting for D1 after ingest (helpers.ts waitForIngest) waits milliseconds, not seconds.
                queueConsumers: {
                  "edgerec-ingest": { maxBatchSize: 100, maxBatchTimeout: 0.02, maxRetries: 2, deadLetterQueue: "edgerec-ingest-dlq" },
                  "edgerec-ingest-dlq": { maxBatchSize: 10, maxBatchTimeout: 0.02, maxRetries: 10 },
                },
                ratelimits: {
                  RATE_LIMIT_CLIENT: { namespace_id: "4201", simple: { limit: TEST_RATE_LIMITS.client, period: 60 } },
                  RATE_LIMIT_SITE: { namespace_id: "4202", simple: { limit: TEST_RATE_LIMITS.site, period: 60 } },
                  RATE_LIMIT_SERVER: { namespace_id: "4203", simple: { limit: TEST_RATE_LIMITS.server, period: 60 } },
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/workers/**/*.test.ts"],
            // Ingest now goes through the queue and its consumer before a test can read D1: tests that post hundreds
            // of events across many sessions need more than vitest's 5 s on a loaded 2-core machine.
            testTimeout: 15_000,
            setupFiles: ["./test/workers/setup/apply-migrations.ts"],
          },
        },
        {
          // The real Segment/RudderStack clients over HTTP against the built Worker in Miniflare.
          test: {
            name: "conformance",
            environment: "node",
            include: ["test/conformance/**/*.test.ts"],
            globalSetup: ["./test/conformance/global-setup.ts"],
            testTimeout: 30_000,
            hookTimeout: 120_000,
          },
        },
        {
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts"],
            globalSetup: ["./test/browser/global-setup.ts"],
            testTimeout: 30_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
