// /admin/models (issue 10 part 4): a site's model versions with their offline metrics, the served one, the pending
// canary with the guardrail's current reading, and the decision history; publish a canary, evaluate it now, and
// roll back (the canary first, else the served version). The jobs are in src/models/canary-jobs.ts.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { readCappedText } from "../lib/body";
import { ApiError } from "../lib/errors";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { canaryPolicy, guardrailThresholds } from "../models/canary";
import { evaluateCanary, publishCanary, rollbackModel } from "../models/canary-jobs";
import type { Canary, Manifest, ModelVersion } from "../models/manifest";
import { decideCanary, type GuardrailDecision } from "../recommend/canary-guardrail";
import { siteQuery } from "../schemas/admin";
import { canaryBodySchema, modelSiteParam } from "../schemas/models";
import { database } from "../storage/db";
import { canaryCounts, listDecisions, type ModelDecision } from "../storage/model-decisions-repo";
import { readManifest } from "../storage/model-store";
import type { SiteRow } from "../storage/schema";
import { findSite } from "../storage/sites-repo";

/** Mounted by routes/admin.ts under /admin/models, behind its admin-token middleware. */
export const adminModels = new Hono<AppEnv>();

const CANARY_BODY_BYTES = 4 * 1024;

export type VersionState = "current" | "canary" | "rolled_back" | "kept";

/** What GET /admin/models answers (and the dashboard's models page shows). */
export type ModelsView = {
  site: string;
  current: ModelVersion | null;
  /** The pending canary with the guardrail's reading of it now (what it would decide, and on which figures). */
  canary: (Canary & { ageMs: number; guardrail: GuardrailDecision }) | null;
  /** Kept versions, newest first, each with its offline `metrics` (from training) and its state. */
  versions: (ModelVersion & { state: VersionState })[];
  /** Promotions and rollbacks, newest first. */
  decisions: ModelDecision[];
};


function stateOf(m: Manifest, v: ModelVersion): VersionState {
  if (v.version === m.current.version) return "current";
  if (v.version === m.canary?.version) return "canary";
  return v.rolledBackAt !== undefined ? "rolled_back" : "kept";
}

/**
 * A site's models view: versions, the served one, the canary's state and share with the guardrail's reading, and
 * the decision history. Null for an unknown site. Reads the manifest fresh (KV), the decisions and, with a canary,
 * its counts (D1).
 */
export async function modelsView(env: Env, siteId: string, now = Date.now()): Promise<ModelsView | null> {
  const [site, manifest, decisions] = await Promise.all([
    findSite(database(env.DB), siteId),
    readManifest(env.MODELS, siteId, { fresh: true }),
    listDecisions(env.DB, siteId),
  ]);
  if (!site) return null;
  return viewOf(env, site, manifest, decisions, now);
}

async function viewOf(env: Env, site: SiteRow, m: Manifest | null, decisions: ModelDecision[], now: number): Promise<ModelsView> {
  if (!m) return { site: site.id, current: null, canary: null, versions: [], decisions };
  let canary: ModelsView["canary"] = null;
  if (m.canary) {
    const c = m.canary;
    const counts = await canaryCounts(env.DB, site.id, c.startedAt, c.version, m.current.version);
    const ageMs = Math.max(0, now - c.startedAt);
    canary = { ...c, ageMs, guardrail: decideCanary(counts.canary, counts.current, ageMs, guardrailThresholds(canaryPolicy(site.config))) };
  }
  return { site: site.id, current: m.current, canary, versions: m.versions.map((v) => ({ ...v, state: stateOf(m, v) })), decisions };
}

async function siteOr404(env: Env, id: string): Promise<SiteRow> {
  const site = await findSite(database(env.DB), id);
  if (!site) throw new ApiError(404, "site_not_found", `no site ${id}`);
  return site;
}

adminModels.get("/", async (c) => {
  const { site } = parseOrThrow(siteQuery, c.req.query(), "query");
  const view = await modelsView(c.env, site);
  if (!view) throw new ApiError(404, "site_not_found", `no site ${site}`);
  return c.json(view);
});

/** The rollback's answer: the manifest after it and the recorded decision. */
async function rollback(env: Env, siteId: string) {
  await siteOr404(env, siteId);
  const { manifest, record } = await rollbackModel(env, siteId);
  return { site: siteId, current: manifest.current, versions: manifest.versions, decision: record };
}

/** Rolls back the pending canary (current stays), else serves the kept version before the current one. */
adminModels.post("/rollback", async (c) => {
  const { site } = parseOrThrow(siteQuery, c.req.query(), "query");
  return c.json(await rollback(c.env, site));
});

adminModels.post("/:site/rollback", async (c) => {
  const site = parseOrThrow(modelSiteParam, c.req.param("site"), "site id");
  return c.json(await rollback(c.env, site));
});

/** Publishes a canary: a kept version, a new retrain (default), or a random copy (simulation only). */
adminModels.post("/:site/canary", async (c) => {
  const siteId = parseOrThrow(modelSiteParam, c.req.param("site"), "site id");
  const text = await readCappedText(c, CANARY_BODY_BYTES);
  const body = parseOrThrow(canaryBodySchema, text.trim() === "" ? {} : parseJsonText(text), "canary");
  const site = await siteOr404(c.env, siteId);
  const share = body.share ?? canaryPolicy(site.config).share;
  const m = await publishCanary(c.env, siteId, { version: body.version, build: body.build, share });
  return c.json(await viewOf(c.env, site, m, await listDecisions(c.env.DB, siteId), Date.now()), 201);
});

/** Runs the guardrail on the pending canary now: promotes it, rolls it back, or waits ("none", not recorded). */
adminModels.post("/:site/canary/evaluate", async (c) => {
  const siteId = parseOrThrow(modelSiteParam, c.req.param("site"), "site id");
  const site = await siteOr404(c.env, siteId);
  const e = await evaluateCanary(c.env, siteId, canaryPolicy(site.config), "admin");
  if (!e) throw new ApiError(409, "no_canary", "this site has no pending canary");
  return c.json({ site: siteId, ...e, record: e.record ?? null });
});
