// The operator dashboard (issue 10 part 6): server-rendered pages under GET /admin and /admin/ui/*, signed in with
// the admin token through a form (a signed session cookie, ./session.ts). Reads go straight to the repos (rollups,
// manifest, sites); every button posts to a dashboard endpoint that runs the JSON admin API's own handler in-process,
// so validation, status rules and cache clearing are the API's. No middleware (`use`): each handler checks its session.
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { DASHBOARD_DEFAULT_DAYS, DASHBOARD_FORM_BYTES } from "../config/limits";
import type { AppEnv } from "../lib/app-env";
import { readCappedText } from "../lib/body";
import { secretsEqual } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { onError } from "../lib/on-error";
import { keyLookupAllowed } from "../lib/rate-limit";
import { fieldOf } from "../lib/site-keys";
import { parseOrThrow } from "../lib/validate";
import { admin } from "../routes/admin";
import { modelsView } from "../routes/admin-models";
import { DASHBOARD_NOTICES, canaryForm, dashboardPageQuery, rotateForm, signInForm, winnerForm } from "../schemas/dashboard";
import { experimentId } from "../schemas/experiments";
import { siteIdString } from "../schemas/sites";
import { database } from "../storage/db";
import { listExperiments } from "../storage/experiments-repo";
import type { SiteRow } from "../storage/schema";
import { listKeys } from "../storage/site-keys-repo";
import { listSites } from "../storage/sites-repo";
import { experimentFigures } from "./data/experiments";
import { lastDays, overviewData } from "./data/overview";
import { segmentsView } from "./data/segments";
import { slotsData } from "./data/slots";
import { DASHBOARD_BASE, Layout, MessagePage, SignInPage, pageHref, type Page } from "./layout";
import { ExperimentsBody } from "./pages/experiments";
import { ModelsBody } from "./pages/models";
import { OverviewBody } from "./pages/overview";
import { SegmentsBody } from "./pages/segments";
import { SitesBody } from "./pages/sites";
import { SlotsBody } from "./pages/slots";
import { DASHBOARD_CSS } from "./style";
import { endSession, hasSession, sameOrigin, startSession } from "./session";

/** Mounted at /admin in app.ts, before the JSON admin API (whose paths it leaves alone). */
export const dashboard = new Hono<AppEnv>();

const SIGN_IN = `${DASHBOARD_BASE}/sign-in`;

/** The JSON admin API as an in-process app: the dashboard's actions call its handlers (no network, same checks). */
const api = new Hono<AppEnv>();
api.route("/admin", admin);
api.onError(onError);

type C = Context<AppEnv>;

function html(c: C, body: Child, status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 = 200): Response {
  // Operational figures and key hints: never cached by the browser or anything in between.
  c.header("cache-control", "no-store");
  return c.html(`<!doctype html>${String(body)}`, status);
}

function errorPage(c: C, err: ApiError): Response {
  const status = ([400, 401, 403, 404, 409, 413, 415, 429] as const).find((s) => s === err.status) ?? 400;
  return html(c, <MessagePage title={`Error ${err.status}`} message={`${err.message} (${err.code})`} />, status);
}

type SiteContext = { sites: SiteRow[]; site: string | null; notice: string | null };

/** The page's site (the `site` query, else the first site) and the list for the picker; unknown site: 404. */
async function siteContext(c: C): Promise<SiteContext> {
  const q = parseOrThrow(dashboardPageQuery, c.req.query(), "query");
  const sites = await listSites(database(c.env.DB));
  if (q.site !== undefined && !sites.some((s) => s.id === q.site)) throw new ApiError(404, "site_not_found", `no site ${q.site}`);
  return { sites, site: q.site ?? sites[0]?.id ?? null, notice: q.notice ? DASHBOARD_NOTICES[q.notice] : null };
}

/** A signed-in page: without a valid session cookie, a redirect to the sign-in form; expected errors as HTML. */
function signedIn(render: (c: C) => Promise<Response>) {
  return async (c: C): Promise<Response> => {
    if (!(await hasSession(c))) return c.redirect(SIGN_IN, 303);
    try {
      return await render(c);
    } catch (err) {
      if (err instanceof ApiError) return errorPage(c, err);
      throw err;
    }
  };
}

/** A dashboard POST: same Origin first (CSRF: a 403 page, signed in or not), then the session, as for pages. */
function action(run: (c: C) => Promise<Response>) {
  const guarded = signedIn(run);
  return async (c: C): Promise<Response> => {
    if (!sameOrigin(c)) return errorPage(c, new ApiError(403, "cross_origin_post", "this form must be posted from the dashboard itself (Origin mismatch)"));
    return guarded(c);
  };
}

async function readForm(c: C): Promise<URLSearchParams> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new ApiError(415, "unsupported_media_type", "dashboard forms are application/x-www-form-urlencoded");
  return new URLSearchParams(await readCappedText(c, DASHBOARD_FORM_BYTES, { anyContentType: true }));
}

/** Runs a JSON admin API handler in-process with the operator's token; its 4xx becomes the dashboard's error page. */
async function callAdmin(c: C, method: "POST", path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await api.request(
    path,
    { method, headers: { authorization: `Bearer ${c.env.ADMIN_TOKEN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) },
    c.env,
  );
  // The API answers JSON objects (its error body included); the cast names that contract.
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) {
    const e = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(res.status === 404 || res.status === 409 ? res.status : 400, e?.code ?? "admin_api_error", e?.message ?? `admin API answered ${res.status}`);
  }
  return json;
}

function view(c: C, page: Page, title: string, ctx: SiteContext, body: Child): Response {
  return html(
    c,
    <Layout title={title} page={page} sites={ctx.sites.map((s) => s.id)} site={ctx.site} notice={ctx.notice}>
      {ctx.site === null && page !== "sites" ? <p class="hint">No sites yet: create one with PUT /admin/sites/:id (see the README).</p> : body}
    </Layout>,
  );
}

dashboard.get("/ui/dashboard.css", (c) => c.body(DASHBOARD_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" }));

dashboard.get("/ui/sign-in", async (c) => ((await hasSession(c)) ? c.redirect("/admin", 303) : html(c, <SignInPage />)));

dashboard.post("/ui/sign-in", async (c) => {
  if (!sameOrigin(c)) return html(c, <SignInPage error="Sign in from this dashboard's own page (the form's Origin did not match)." />, 403);
  // Guesses at the token are limited per client on the key-lookup budget, like guesses at site keys.
  if (!(await keyLookupAllowed(c))) return html(c, <SignInPage error="Too many sign-in attempts from this address; wait a minute." />, 429);
  let token: string;
  try {
    token = parseOrThrow(signInForm, Object.fromEntries(await readForm(c)), "sign-in form").token;
  } catch (err) {
    if (err instanceof ApiError) return html(c, <SignInPage error={err.message} />, 400);
    throw err;
  }
  if (!c.env.ADMIN_TOKEN || !(await secretsEqual(token, c.env.ADMIN_TOKEN))) return html(c, <SignInPage error="That is not the admin token." />, 401);
  await startSession(c);
  return c.redirect("/admin", 303);
});

dashboard.post("/ui/sign-out", async (c) => {
  if (!sameOrigin(c)) return html(c, <MessagePage title="Refused" message="Sign out from the dashboard itself (the form's Origin did not match)." />, 403);
  endSession(c);
  return c.redirect(SIGN_IN, 303);
});

dashboard.get(
  "/",
  signedIn(async (c) => {
    const ctx = await siteContext(c);
    const data = ctx.site ? await overviewData(c.env.DB, ctx.site, Date.now()) : null;
    return view(c, "overview", "Overview", ctx, data ? <OverviewBody data={data} /> : null);
  }),
);

dashboard.get(
  "/ui/slots",
  signedIn(async (c) => {
    const ctx = await siteContext(c);
    const days = lastDays(Date.now(), DASHBOARD_DEFAULT_DAYS);
    const slots = ctx.site ? await slotsData(c.env.DB, ctx.site, days) : [];
    return view(c, "slots", "Slots: CTR and conversion", ctx, <SlotsBody slots={slots} days={days} />);
  }),
);

dashboard.get(
  "/ui/experiments",
  signedIn(async (c) => {
    const ctx = await siteContext(c);
    if (!ctx.site) return view(c, "experiments", "Experiments", ctx, null);
    const rows = await listExperiments(database(c.env.DB), ctx.site);
    const results = await experimentFigures(c.env.DB, ctx.site, rows);
    const experiments = rows.map((row, i) => ({ row, results: results[i] ?? null }));
    return view(c, "experiments", "Experiments", ctx, <ExperimentsBody site={ctx.site} experiments={experiments} />);
  }),
);

function experimentAction(verb: "start" | "stop" | "winner", notice: keyof typeof DASHBOARD_NOTICES) {
  return action(async (c) => {
    const id = parseOrThrow(experimentId, c.req.param("id"), "experiment id");
    const site = parseOrThrow(siteIdString, c.req.query("site"), "site");
    const body = verb === "winner" ? parseOrThrow(winnerForm, Object.fromEntries(await readForm(c)), "winner form") : undefined;
    await callAdmin(c, "POST", `/admin/experiments/${encodeURIComponent(id)}/${verb}?site=${encodeURIComponent(site)}`, body);
    return c.redirect(pageHref(`${DASHBOARD_BASE}/experiments`, site, { notice }), 303);
  });
}
dashboard.post("/ui/experiments/:id/start", experimentAction("start", "started"));
dashboard.post("/ui/experiments/:id/stop", experimentAction("stop", "stopped"));
dashboard.post("/ui/experiments/:id/winner", experimentAction("winner", "winner"));

dashboard.get(
  "/ui/models",
  signedIn(async (c) => {
    const ctx = await siteContext(c);
    if (!ctx.site) return view(c, "models", "Models", ctx, null);
    const models = await modelsView(c.env, ctx.site);
    if (!models) throw new ApiError(404, "site_not_found", `no site ${ctx.site}`);
    return view(c, "models", "Models", ctx, <ModelsBody site={ctx.site} view={models} />);
  }),
);

const modelsPage = (site: string, notice: keyof typeof DASHBOARD_NOTICES) => pageHref(`${DASHBOARD_BASE}/models`, site, { notice });

/** Rolls back the pending canary if there is one, else the served version (the API's rule; the notice says which). */
dashboard.post(
  "/ui/models/rollback",
  action(async (c) => {
    const site = parseOrThrow(siteIdString, c.req.query("site"), "site");
    const json = await callAdmin(c, "POST", `/admin/models/${encodeURIComponent(site)}/rollback`);
    // A canary's rollback names the version it was served against; a served version's rollback has none.
    const decision = json.decision as { againstVersion?: string | null } | undefined;
    return c.redirect(modelsPage(site, decision?.againstVersion ? "canary_rolled_back" : "rolled_back"), 303);
  }),
);

/** Retrains and publishes the new version as a canary to the form's share (percent) of visitors. */
dashboard.post(
  "/ui/models/canary",
  action(async (c) => {
    const site = parseOrThrow(siteIdString, c.req.query("site"), "site");
    const { share } = parseOrThrow(canaryForm, Object.fromEntries(await readForm(c)), "canary form");
    await callAdmin(c, "POST", `/admin/models/${encodeURIComponent(site)}/canary`, { build: "retrain", share: Number(share) / 100 });
    return c.redirect(modelsPage(site, "canary_published"), 303);
  }),
);

const EVALUATION_NOTICES = { promoted: "canary_promoted", rolled_back: "canary_failed", none: "canary_waiting" } as const;

dashboard.post(
  "/ui/models/canary/evaluate",
  action(async (c) => {
    const site = parseOrThrow(siteIdString, c.req.query("site"), "site");
    const json = await callAdmin(c, "POST", `/admin/models/${encodeURIComponent(site)}/canary/evaluate`);
    const decision = json.decision as keyof typeof EVALUATION_NOTICES;
    return c.redirect(modelsPage(site, EVALUATION_NOTICES[decision] ?? "canary_waiting"), 303);
  }),
);

dashboard.get(
  "/ui/segments",
  signedIn(async (c) => {
    const ctx = await siteContext(c);
    if (!ctx.site) return view(c, "segments", "Segments", ctx, null);
    return view(c, "segments", "Segments", ctx, <SegmentsBody view={await segmentsView(c.env, ctx.site)} />);
  }),
);

async function sitesPage(c: C, ctx: SiteContext, rotated: { site: string; kind: string; key: string } | null): Promise<Response> {
  const now = Date.now();
  const keys = await Promise.all(ctx.sites.map((s) => listKeys(c.env.DB, s.id, now)));
  return view(c, "sites", "Sites and keys", ctx, <SitesBody sites={ctx.sites.map((site, i) => ({ site, keys: keys[i]! }))} rotated={rotated} />);
}

dashboard.get(
  "/ui/sites",
  signedIn(async (c) => sitesPage(c, await siteContext(c), null)),
);

/** Rotation answers the sites page itself (not a redirect): the new key is in this answer only. */
dashboard.post(
  "/ui/sites/:id/keys/rotate",
  action(async (c) => {
    const site = parseOrThrow(siteIdString, c.req.param("id"), "site id");
    const { kind, overlapSeconds } = parseOrThrow(rotateForm, Object.fromEntries(await readForm(c)), "rotation form");
    const json = await callAdmin(c, "POST", `/admin/sites/${encodeURIComponent(site)}/keys/rotate`, { kind, ...(overlapSeconds ? { overlapSeconds: Number(overlapSeconds) } : {}) });
    const ctx = await siteContext(c);
    return sitesPage(c, ctx, { site, kind, key: String(json[fieldOf(kind)]) });
  }),
);
