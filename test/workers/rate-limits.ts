// The rate limits of the workers test project (vitest.config.ts overrides the wrangler.toml bindings with these), so
// tests know how many requests spend a limit.
export const TEST_RATE_LIMITS = { client: 30, site: 120, server: 40 } as const;
