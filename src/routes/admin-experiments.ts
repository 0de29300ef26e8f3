// /admin/experiments (issue 10 part 3): A/B experiments per site. PUT saves a draft; start, stop and winner move it
// draft → running → stopped. Declaring a winner stops it and writes the variant's weights and rules into the site
// config (weights site-wide, rules into each covered slot); sources, the control and a pinned model version are not
// config settings, so a winner that changes them is recorded but those parts are not applied (`notApplied` lists them).
import { Hono } from "hono";
import { readCappedText } from "../lib/body";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { clearSiteCache } from "../lib/site-cache";
import { assertRulesConsistent, parseJsonText, parseOrThrow } from "../lib/validate";
import { MAX_EXPERIMENTS_PER_SITE } from "../config/limits";
import { experimentResults } from "../recommend/experiment-results";
import { variantLabel } from "../recommend/experiments";
import {
  experimentConfigSchema,
  experimentId,
  experimentResultsQuery,
  experimentSiteQuery,
  winnerBodySchema,
  type ExperimentConfig,
} from "../schemas/experiments";
import type { SiteConfig } from "../schemas/site-config";
import { database } from "../storage/db";
import { clearExperimentCache, declareWinner, findExperiment, listExperiments, readExperimentRollups, saveDraft, updateExperiment } from "../storage/experiments-repo";
import { readManifest } from "../storage/model-store";
import type { ExperimentRow } from "../storage/schema";
import { findSite } from "../storage/sites-repo";

/** Mounted by routes/admin.ts under /admin/experiments, behind its admin-token middleware. */
export const adminExperiments = new Hono<AppEnv>();

const EXPERIMENT_BODY_BYTES = 64 * 1024;

export function experimentView(e: ExperimentRow) {
  return {
    site: e.siteId,
    id: e.id,
    status: e.status,
    slots: e.config.slots,
    ...(e.config.segment !== undefined ? { segment: e.config.segment } : {}),
    variants: e.config.variants,
    startedAt: e.startedAt?.getTime() ?? null,
    stoppedAt: e.stoppedAt?.getTime() ?? null,
    winner: e.winner,
    createdAt: e.createdAt.getTime(),
    updatedAt: e.updatedAt.getTime(),
  };
}

async function siteOf(env: Env, id: string) {
  const site = await findSite(database(env.DB), id);
  if (!site) throw new ApiError(404, "site_not_found", `no site ${id}`);
  return site;
}

async function experimentOf(env: Env, site: string, id: string): Promise<ExperimentRow> {
  const e = await findExperiment(database(env.DB), site, id);
  if (!e) throw new ApiError(404, "experiment_not_found", `no experiment ${id} on site ${site}`);
  return e;
}

/** Each variant's rules over each covered slot's saved rules must pass the one rule validator. */
function assertVariantRules(config: ExperimentConfig, siteConfig: SiteConfig): void {
  config.variants.forEach((v, i) => {
    if (!v.change.rules) return;
    for (const slot of config.slots) {
      const { k: _k, kind: _kind, segments, ...slotRules } = siteConfig.slots[slot] ?? {};
      const segmentRules = config.segment !== undefined ? segments?.[String(config.segment)]?.rules : undefined;
      assertRulesConsistent({ ...slotRules, ...segmentRules, ...v.change.rules }, { prefix: `variants[${i}].change.rules.`, note: `over slot ${slot}` });
    }
  });
}

/**
 * A variant's pinned model version must be one the site's manifest keeps now (KEEP_VERSIONS of them). A later
 * retrain may drop it; the serve path then falls back to the current version (src/recommend/experiments.ts).
 */
async function assertModelVersions(env: Env, site: string, config: ExperimentConfig): Promise<void> {
  if (!config.variants.some((v) => v.change.modelVersion !== undefined)) return;
  const manifest = await readManifest(env.MODELS, site, { fresh: true });
  const kept = new Set(manifest?.versions.map((v) => v.version) ?? []);
  const issues = config.variants.flatMap((v, i) =>
    v.change.modelVersion !== undefined && !kept.has(v.change.modelVersion)
      ? [{ path: `variants[${i}].change.modelVersion`, message: `site ${site} keeps no model version ${v.change.modelVersion} (kept: ${[...kept].join(", ") || "none"})` }]
      : [],
  );
  if (issues.length > 0) throw new ApiError(400, "invalid_request", `invalid experiment: ${issues[0]!.path}: ${issues[0]!.message}`, issues);
}

adminExperiments.get("/", async (c) => {
  const { site } = parseOrThrow(experimentSiteQuery, c.req.query(), "query");
  await siteOf(c.env, site);
  return c.json({ site, experiments: (await listExperiments(database(c.env.DB), site)).map(experimentView) });
});

adminExperiments.get("/:id", async (c) => {
  const id = parseOrThrow(experimentId, c.req.param("id"), "experiment id");
  const { site } = parseOrThrow(experimentSiteQuery, c.req.query(), "query");
  return c.json(experimentView(await experimentOf(c.env, site, id)));
});

/**
 * The experiment's results from its rollups (one grouped query): per variant the counters and rates with 95%
 * intervals, each treatment against the control, the SRM check and a verdict (src/recommend/experiment-results.ts).
 */
adminExperiments.get("/:id/results", async (c) => {
  const id = parseOrThrow(experimentId, c.req.param("id"), "experiment id");
  const { site, slot } = parseOrThrow(experimentResultsQuery, c.req.query(), "query");
  const e = await experimentOf(c.env, site, id);
  if (slot !== undefined && !e.config.slots.includes(slot)) {
    throw new ApiError(400, "invalid_request", `invalid query: slot: experiment ${id} does not cover slot ${slot}`, [{ path: "slot", message: `not a slot of ${id}` }]);
  }
  const rows = await readExperimentRollups(c.env.DB, site, e.config.variants.map((v) => variantLabel(id, v.name)), slot);
  return c.json({ site, status: e.status, slot: slot ?? null, ...experimentResults({ id, config: e.config }, rows) });
});

/** Creates or replaces a draft; a running or stopped experiment is not edited (409): make a new one. */
adminExperiments.put("/:id", async (c) => {
  const id = parseOrThrow(experimentId, c.req.param("id"), "experiment id");
  const { site } = parseOrThrow(experimentSiteQuery, c.req.query(), "query");
  const config = parseOrThrow(experimentConfigSchema, parseJsonText(await readCappedText(c, EXPERIMENT_BODY_BYTES)), "experiment");
  const db = database(c.env.DB);
  const [siteRow, existing, all] = await Promise.all([siteOf(c.env, site), findExperiment(db, site, id), listExperiments(db, site)]);
  assertVariantRules(config, siteRow.config);
  await assertModelVersions(c.env, site, config);
  if (existing && existing.status !== "draft") throw new ApiError(409, "experiment_not_draft", `experiment ${id} is ${existing.status}; only drafts are edited`);
  if (!existing && all.length >= MAX_EXPERIMENTS_PER_SITE) throw new ApiError(409, "too_many_experiments", `a site keeps at most ${MAX_EXPERIMENTS_PER_SITE} experiments`);
  const row = await saveDraft(db, site, id, { slots: config.slots, variants: config.variants, ...(config.segment !== undefined ? { segment: config.segment } : {}) }, new Date());
  return c.json(experimentView(row), existing ? 200 : 201);
});

adminExperiments.post("/:id/start", async (c) => {
  const id = parseOrThrow(experimentId, c.req.param("id"), "experiment id");
  const { site } = parseOrThrow(experimentSiteQuery, c.req.query(), "query");
  const e = await experimentOf(c.env, site, id);
  if (e.status !== "draft") throw new ApiError(409, "experiment_not_draft", `experiment ${id} is ${e.status}; only a draft starts`);
  const now = new Date();
  const row = await updateExperiment(database(c.env.DB), site, id, { status: "running", startedAt: now }, now);
  clearExperimentCache(site);
  return c.json(experimentView(row));
});

adminExperiments.post("/:id/stop", async (c) => {
  const id = parseOrThrow(experimentId, c.req.param("id"), "experiment id");
  const { site } = parseOrThrow(experimentSiteQuery, c.req.query(), "query");
  const e = await experimentOf(c.env, site, id);
  if (e.status !== "running") throw new ApiError(409, "experiment_not_running", `experiment ${id} is ${e.status}`);
  const now = new Date();
  const row = await updateExperiment(database(c.env.DB), site, id, { status: "stopped", stoppedAt: now }, now);
  clearExperimentCache(site);
  return c.json(experimentView(row));
});

/**
 * Declares a winner: stops the experiment (if running) and writes the variant's weights over the site's weights and
 * its rules over each covered slot's rules. `sources` and `control` have no site-config setting: not applied.
 */
adminExperiments.post("/:id/winner", async (c) => {
  const id = parseOrThrow(experimentId, c.req.param("id"), "experiment id");
  const { site } = parseOrThrow(experimentSiteQuery, c.req.query(), "query");
  const { variant } = parseOrThrow(winnerBodySchema, parseJsonText(await readCappedText(c, EXPERIMENT_BODY_BYTES)), "winner");
  const [e, siteRow] = await Promise.all([experimentOf(c.env, site, id), siteOf(c.env, site)]);
  if (e.status === "draft") throw new ApiError(409, "experiment_not_started", `experiment ${id} has not run`);
  if (e.winner !== null) throw new ApiError(409, "winner_declared", `experiment ${id} already has winner ${e.winner}`);
  const v = e.config.variants.find((x) => x.name === variant);
  if (!v) throw new ApiError(400, "invalid_request", `invalid winner: variant is not a variant of ${id}`, [{ path: "variant", message: `not a variant of ${id}` }]);
  const config: SiteConfig = structuredClone(siteRow.config);
  if (e.config.segment !== undefined) {
    // A one-segment experiment's winner becomes that segment's change of each slot, not the whole site's.
    const id = String(e.config.segment);
    for (const slot of e.config.slots) {
      const s = config.slots[slot] ?? {};
      const o = s.segments?.[id] ?? {};
      const merged = {
        ...o,
        ...(v.change.rules ? { rules: { ...o.rules, ...v.change.rules } } : {}),
        ...(v.change.weights ? { weights: { ...o.weights, ...v.change.weights } } : {}),
        ...(v.change.sources ? { sources: v.change.sources } : {}),
      };
      config.slots[slot] = { ...s, segments: { ...s.segments, [id]: merged } };
    }
  } else {
    if (v.change.weights) config.weights = { ...config.weights, ...v.change.weights };
    if (v.change.rules) for (const slot of e.config.slots) config.slots[slot] = { ...config.slots[slot], ...v.change.rules };
  }
  const notApplied = [
    ...(v.change.sources && e.config.segment === undefined ? ["sources"] : []),
    ...(v.change.control ? ["control"] : []),
    ...(v.change.modelVersion ? ["modelVersion"] : []),
  ];
  const now = new Date();
  const row = await declareWinner(database(c.env.DB), site, id, v.name, config, e.status === "running", now);
  clearExperimentCache(site);
  clearSiteCache();
  return c.json({ experiment: experimentView(row), config, notApplied });
});
