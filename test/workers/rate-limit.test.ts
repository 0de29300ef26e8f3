import { describe, expect, it } from "vitest";
import { RATE_LIMIT_PERIOD_SECONDS } from "../../src/config/limits";
import { addressBlock, clientKey } from "../../src/lib/rate-limit";
import { ADMIN, createSite, get, serverHeaders, type ErrorJson, type TestSite } from "./helpers";
import { TEST_RATE_LIMITS } from "./rate-limits";

/**
 * Sends requests until the first 429 and returns it with the number served before. The binding counts in fixed
 * windows aligned to the clock, so a window may roll over once during the loop: 2 * limit + 1 requests always put
 * limit + 1 into one window.
 */
async function spend(limit: number, send: () => Promise<Response>): Promise<{ refused: Response | null; served: number }> {
  let served = 0;
  for (let i = 0; i < 2 * limit + 1; i++) {
    const res = await send();
    if (res.status === 429) return { refused: res, served };
    await res.body?.cancel();
    served++;
  }
  return { refused: null, served };
}

/** A cheap /v1 read through requireSite: an unknown item answers 404 once the request is let through. */
function readAs(site: TestSite, headers: Record<string, string>): Promise<Response> {
  return get(`/v1/items/no-such-item`, { "x-edgerec-key": site.key, ...headers });
}

describe("rate limits: per client", () => {
  it("refuses one client over its limit with 429 and Retry-After while another client on the key is served", async () => {
    const site = await createSite();
    const { refused, served } = await spend(TEST_RATE_LIMITS.client, () => readAs(site, { "cf-connecting-ip": "198.51.100.7", origin: site.origin }));
    expect(refused).not.toBeNull();
    expect(served).toBeGreaterThanOrEqual(TEST_RATE_LIMITS.client);
    expect(refused!.headers.get("retry-after")).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
    // The browser must be able to read the refusal (the SDK retries 429s), so CORS headers are on it.
    expect(refused!.headers.get("access-control-allow-origin")).toBe(site.origin);
    // … and Retry-After is exposed to it, so the snippet waits as long as asked.
    expect(refused!.headers.get("access-control-expose-headers")).toContain("retry-after");
    const body = await refused!.json<ErrorJson>();
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toContain("client");

    expect((await readAs(site, { "cf-connecting-ip": "198.51.100.8" })).status).toBe(404);
    // Requests without a connecting address (local tools) are limited per key only.
    expect((await readAs(site, {})).status).toBe(404);
    // The same address on another site has a budget of its own.
    const other = await createSite();
    expect((await readAs(other, { "cf-connecting-ip": "198.51.100.7" })).status).toBe(404);
  });

  it("charges a request at its first storage call: one answered without storage neither spends nor meets the limit", async () => {
    const site = await createSite();
    const client = { "cf-connecting-ip": "198.51.100.77" };
    // Requests refused by validation before any storage (a bad k) cost what an unknown path costs: uncounted.
    for (let i = 0; i < 2 * TEST_RATE_LIMITS.client + 1; i++) {
      const res = await get(`/v1/sessions/s-1/next?k=zero`, { "x-edgerec-key": site.key, ...client });
      expect(res.status).toBe(400);
      await res.body?.cancel();
    }
    // … so the client's whole budget is still there for requests that read storage.
    const { refused, served } = await spend(TEST_RATE_LIMITS.client, () => readAs(site, client));
    expect(served).toBeGreaterThanOrEqual(TEST_RATE_LIMITS.client);
    expect(refused?.status).toBe(429);
    // Once spent, a storage read is refused, and a request that needs none is still answered.
    expect((await get(`/v1/sessions/s-1/next?k=zero`, { "x-edgerec-key": site.key, ...client })).status).toBe(400);
    expect((await readAs(site, client)).status).toBe(429);
  });

  it("counts an IPv6 client per /64 block", async () => {
    const site = await createSite();
    let i = 0;
    // Every request from another address in the same /64: one budget.
    const { refused } = await spend(TEST_RATE_LIMITS.client, () => readAs(site, { "cf-connecting-ip": `2001:db8:1:2::${(i++).toString(16)}` }));
    expect(refused?.status).toBe(429);
    expect((await readAs(site, { "cf-connecting-ip": "2001:db8:1:3::1" })).status).toBe(404);
  });
});

describe("rate limits: per site key", () => {
  it("refuses a public key over its limit; the server key and the admin token are still served", async () => {
    const site = await createSite();
    // Every request from another client (and some from none): they all share the site's budget.
    let i = 0;
    const { refused, served } = await spend(TEST_RATE_LIMITS.site, () => {
      i++;
      return readAs(site, i % 4 === 0 ? {} : { "cf-connecting-ip": `10.1.${i >> 8}.${i & 255}` });
    });
    expect(refused).not.toBeNull();
    expect(served).toBeGreaterThanOrEqual(TEST_RATE_LIMITS.site);
    expect(refused!.headers.get("retry-after")).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
    const body = await refused!.json<ErrorJson>();
    expect(body.error).toEqual({ code: "rate_limited", message: expect.stringContaining("site's key") });

    expect((await get(`/v1/items/no-such-item`, serverHeaders(site))).status).toBe(404);
    expect((await readAs(site, ADMIN)).status).toBe(404);
    // Other sites are unaffected.
    const other = await createSite();
    expect((await readAs(other, {})).status).toBe(404);
  });

  it("refuses a server key over its own limit", async () => {
    const site = await createSite();
    const { refused } = await spend(TEST_RATE_LIMITS.server, () => get(`/v1/items/no-such-item`, { ...serverHeaders(site), "cf-connecting-ip": "192.0.2.1" }));
    expect(refused?.status).toBe(429);
    expect(refused!.headers.get("retry-after")).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
    // Browser traffic of the site keeps its budget.
    expect((await readAs(site, { "cf-connecting-ip": "198.51.100.10" })).status).toBe(404);
  });
});

describe("rate limits: client identity", () => {
  const env = { RATE_LIMIT_SALT: "salt-a", ADMIN_TOKEN: "admin" };
  const day = Date.UTC(2026, 11, 1, 12);

  it("is a salted hash that changes daily and never contains the address", async () => {
    const a = await clientKey(env, "203.0.113.9", day);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(await clientKey(env, "203.0.113.9", day + 3_600_000)).toBe(a);
    expect(await clientKey(env, "203.0.113.9", day + 86_400_000)).not.toBe(a);
    expect(await clientKey(env, "203.0.113.10", day)).not.toBe(a);
    expect(await clientKey({ ...env, RATE_LIMIT_SALT: "salt-b" }, "203.0.113.9", day)).not.toBe(a);
    // Without RATE_LIMIT_SALT the admin token salts.
    expect(await clientKey({ RATE_LIMIT_SALT: "", ADMIN_TOKEN: "admin" }, "203.0.113.9", day)).not.toBe(a);
  });

  it("reduces IPv6 addresses to their /64", () => {
    expect(addressBlock("2001:db8:0:1::5")).toBe("2001:db8:0:1");
    expect(addressBlock("2001:0db8:0000:0001:ffff:0:0:1")).toBe("2001:db8:0:1");
    expect(addressBlock("2001:db8::1")).toBe("2001:db8:0:0");
    expect(addressBlock("::1")).toBe("0:0:0:0");
    expect(addressBlock("203.0.113.9")).toBe("203.0.113.9");
    expect(addressBlock("::ffff:203.0.113.9")).toBe("::ffff:203.0.113.9");
  });
});

describe("rate limits: unknown keys", () => {
  it("limits one address's lookups of made-up keys before they reach D1, and no one else", async () => {
    const site = await createSite();
    const { refused, served } = await spend(TEST_RATE_LIMITS.client, () =>
      get(`/v1/items/x`, { "x-edgerec-key": `pk_made_up_${crypto.randomUUID()}`, "cf-connecting-ip": "203.0.113.77" }),
    );
    expect(refused?.status).toBe(429);
    expect(refused!.headers.get("retry-after")).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
    // Until refused, each made-up key was an honest 401.
    expect(served).toBeGreaterThanOrEqual(TEST_RATE_LIMITS.client);
    expect((await readAs(site, { "cf-connecting-ip": "203.0.113.78" })).status).toBe(404);
  });
});
