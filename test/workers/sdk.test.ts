// /sdk.js and the versioned script URL: the bundle's content hash is a strong ETag, and a revalidation that carries
// it gets 304 with no body (issue 12 part 4).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SDK_SOURCE, SDK_VERSION } from "../../src/sdk-dist/bundle.generated";
import { BASE, get } from "./helpers";

const CURRENT = `"${SDK_VERSION}"`;

describe.each([
  ["/sdk.js", "public, max-age=300"],
  [`/sdk/${SDK_VERSION}.js`, "public, max-age=31536000, immutable"],
])("GET %s", (path, cacheControl) => {
  it("answers the bundle with a strong ETag of its version hash", async () => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(CURRENT);
    expect(res.headers.get("cache-control")).toBe(cacheControl);
    expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(await res.text()).toBe(SDK_SOURCE);
  });

  it.each([
    ["the current ETag", CURRENT],
    ["a list holding it", `"0123456789ab", ${CURRENT}`],
    ["its weak form (If-None-Match compares weakly)", `W/${CURRENT}`],
    ["*", "*"],
  ])("answers 304 with no body to If-None-Match carrying %s", async (_what, ifNoneMatch) => {
    const res = await get(path, { "if-none-match": ifNoneMatch });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
    expect(res.headers.get("etag")).toBe(CURRENT);
    // A 304 keeps the validators and caching headers of the 200 it stands for (RFC 9110 §15.4.5), and the security headers.
    expect(res.headers.get("cache-control")).toBe(cacheControl);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers the whole bundle again to a stale ETag", async () => {
    const res = await get(path, { "if-none-match": '"0123456789ab"' });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(CURRENT);
    expect(await res.text()).toBe(SDK_SOURCE);
  });

  it("answers a HEAD revalidation with 304 too", async () => {
    const res = await exports.default.fetch(`${BASE}${path}`, { method: "HEAD", headers: { "if-none-match": CURRENT } });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(CURRENT);
  });
});

describe("GET /sdk/:file for an unknown version", () => {
  it("stays a 404 whatever If-None-Match says", async () => {
    const res = await get("/sdk/000000000000.js", { "if-none-match": "*" });
    expect(res.status).toBe(404);
    expect(res.headers.get("etag")).toBeNull();
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("not_found");
  });
});
