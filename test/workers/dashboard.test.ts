// The operator dashboard's sign-in and guards (issue 10 part 6): no cookie → the sign-in form, a wrong token → 401,
// forged, foreign and expired cookies refused, cross-origin POSTs refused, and the JSON admin API unchanged.
// The pages themselves are exercised in Chromium (test/browser/dashboard.test.ts).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issueSession, SESSION_COOKIE } from "../../src/dashboard/session";
import { HTML_CSP } from "../../src/lib/security-headers";
import { ADMIN, BASE, createSite } from "./helpers";

const TOKEN = "test-admin-token";
const FORM = { "content-type": "application/x-www-form-urlencoded", origin: BASE };

function fetchPath(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, { redirect: "manual", ...init });
}

async function signIn(token = TOKEN, headers: Record<string, string> = FORM): Promise<Response> {
  return fetchPath("/admin/ui/sign-in", { method: "POST", headers, body: new URLSearchParams({ token }).toString() });
}

/** The session cookie of a successful sign-in, as `name=value`. */
async function session(): Promise<string> {
  const res = await signIn();
  expect(res.status).toBe(303);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

describe("dashboard sign-in", () => {
  it("redirects every page to the sign-in form without a cookie", async () => {
    for (const path of ["/admin", "/admin/ui/slots", "/admin/ui/experiments", "/admin/ui/models", "/admin/ui/segments", "/admin/ui/sites"]) {
      const res = await fetchPath(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe("/admin/ui/sign-in");
    }
    const form = await fetchPath("/admin/ui/sign-in");
    expect(form.status).toBe(200);
    expect(form.headers.get("content-security-policy")).toBe(HTML_CSP);
    const html = await form.text();
    expect(html).toContain('<form class="signin" method="post" action="/admin/ui/sign-in">');
    expect(html).not.toMatch(/<script|style=/i);
  });

  it("answers a wrong token with a 401 page and no cookie", async () => {
    const res = await signIn("not-the-token");
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("That is not the admin token.");
  });

  it("sets an HttpOnly, Secure, SameSite=Strict signed session (never the token) and signs out", async () => {
    const res = await signIn();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=v1\\.[0-9a-z]+\\.[A-Za-z0-9_-]+\\.[0-9a-f]{64};`));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/admin");
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(";")[0]!;
    const page = await fetchPath("/admin", { headers: { cookie: pair } });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(await page.text()).toContain("<h1>Overview</h1>");

    const out = await fetchPath("/admin/ui/sign-out", { method: "POST", headers: { ...FORM, cookie: pair } });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/admin/ui/sign-in");
    expect(out.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });

  it("refuses forged, foreign-key and expired cookies", async () => {
    const good = (await session()).slice(SESSION_COOKIE.length + 1);
    const [v, exp, nonce, sig] = good.split(".");
    const flipped = `${sig!.slice(0, -1)}${sig!.endsWith("0") ? "1" : "0"}`;
    const farFuture = (Date.now() + 365 * 86_400_000).toString(36);
    const cookies = [
      `${v}.${exp}.${nonce}.${flipped}`, // tampered signature
      `${v}.${farFuture}.${nonce}.${sig}`, // extended expiry, old signature
      await issueSession("another-token", Date.now()), // signed under another admin token
      await issueSession(TOKEN, Date.now() - 9 * 3_600_000), // expired
      TOKEN, // the raw token is not a session
      "garbage",
    ];
    for (const value of cookies) {
      const res = await fetchPath("/admin/ui/sites", { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
      expect(res.status, value).toBe(303);
      expect(res.headers.get("location")).toBe("/admin/ui/sign-in");
    }
  });

  it("refuses POSTs without this Origin: sign-in, sign-out and actions", async () => {
    expect((await signIn(TOKEN, { "content-type": FORM["content-type"] })).status).toBe(403);
    const foreign = await signIn(TOKEN, { ...FORM, origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("set-cookie")).toBeNull();

    const site = await createSite();
    const cookie = await session();
    const put = await exports.default.fetch(`${BASE}/admin/experiments/e1?site=${site.id}`, {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ slots: ["home"], variants: [{ name: "a", weight: 1 }, { name: "b", weight: 1 }] }),
    });
    expect(put.status).toBe(201);
    const start = (origin?: string) =>
      fetchPath(`/admin/ui/experiments/e1/start?site=${site.id}`, {
        method: "POST",
        headers: { "content-type": FORM["content-type"], cookie, ...(origin ? { origin } : {}) },
        body: "",
      });
    expect((await start("https://evil.example")).status).toBe(403);
    expect((await start()).status).toBe(403);
    // Without a session too: a cross-origin POST is refused before anything else.
    const anonymous = await fetchPath(`/admin/ui/experiments/e1/start?site=${site.id}`, { method: "POST", headers: { origin: "https://evil.example" } });
    expect(anonymous.status).toBe(403);
    // Same Origin but no session: back to the sign-in form.
    const signedOut = await fetchPath(`/admin/ui/experiments/e1/start?site=${site.id}`, { method: "POST", headers: { origin: BASE } });
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get("location")).toBe("/admin/ui/sign-in");
    const still = await exports.default.fetch(`${BASE}/admin/experiments/e1?site=${site.id}`, { headers: ADMIN });
    expect(((await still.json()) as { status: string }).status).toBe("draft");

    // Same Origin and a session: the JSON API's own handler runs, then back to the page with a notice.
    const ok = await start(BASE);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`/admin/ui/experiments?site=${site.id}&notice=started`);
    const now = await exports.default.fetch(`${BASE}/admin/experiments/e1?site=${site.id}`, { headers: ADMIN });
    expect(((await now.json()) as { status: string }).status).toBe("running");
    // The API's 409 (already running) becomes an error page naming its code.
    const again = await start(BASE);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("experiment_not_draft");
  });

  it("models page forms: a share that is no percentage is a 400 page naming it, and the API's refusals become pages", async () => {
    const site = await createSite();
    const cookie = await session();
    const post = (path: string, body = "") => fetchPath(`/admin/ui/models/${path}?site=${site.id}`, { method: "POST", headers: { ...FORM, cookie }, body });
    const bad = await post("canary", "share=half");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("share");
    // The JSON API checks the range: 90% is above CANARY_MAX_SHARE.
    const tooMuch = await post("canary", "share=90");
    expect(tooMuch.status).toBe(400);
    expect(await tooMuch.text()).toContain("share");
    const evaluate = await post("canary/evaluate");
    expect(evaluate.status).toBe(409);
    expect(await evaluate.text()).toContain("no_canary");
    const rollback = await post("rollback");
    expect(rollback.status).toBe(404);
    expect(await rollback.text()).toContain("no_model");
  });

  it("leaves the JSON admin API as it was: Bearer only, the cookie is no credential there", async () => {
    const cookie = await session();
    const bearer = await fetchPath("/admin/sites", { headers: ADMIN });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get("content-type")).toMatch(/^application\/json/);
    const cookieOnly = await fetchPath("/admin/sites", { headers: { cookie } });
    expect(cookieOnly.status).toBe(401);
    expect(((await cookieOnly.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("renders every page for a new site, and a 404 page for an unknown one", async () => {
    const site = await createSite();
    const cookie = await session();
    for (const path of ["/admin", "/admin/ui/slots", "/admin/ui/experiments", "/admin/ui/models", "/admin/ui/segments", "/admin/ui/sites"]) {
      const res = await fetchPath(`${path}?site=${site.id}`, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toMatch(/^<!doctype html><html lang="en">/);
      // Nothing loads from elsewhere, and nothing inline that the CSP would block.
      expect(html, path).not.toMatch(/<script|style=|(src|href|action)="(https?:)?\/\//i);
    }
    const sites = await (await fetchPath(`/admin/ui/sites`, { headers: { cookie } })).text();
    expect(sites).toContain(site.key.slice(0, 7));
    expect(sites).not.toContain(site.key);
    expect(sites).not.toContain(site.serverKey);
    expect(sites).not.toContain(site.identitySecret);
    const missing = await fetchPath(`/admin/ui/slots?site=no-such-site`, { headers: { cookie } });
    expect(missing.status).toBe(404);
    const stray = await fetchPath(`/admin/ui/slots?sight=x`, { headers: { cookie } });
    expect(stray.status).toBe(400);
    expect(await stray.text()).toContain("sight");
  });
});
