// The canary rollout's jobs (issue 10 part 4): publish a canary (a kept version, a retrain, or a random one for
// simulations), run the guardrail on it (the 10-minute cron and an admin call), and roll back by hand. Each holds
// the site's manifest lease, reads the manifest fresh, and records every promotion or rollback in model_decisions.
import { ApiError } from "../lib/errors";
import { decideCanary, type GuardrailDecision } from "../recommend/canary-guardrail";
import type { CanaryPolicy } from "../schemas/site-config";
import { database } from "../storage/db";
import { acquireLease, releaseLease } from "../storage/leases";
import { insertDecision, canaryCounts, type ModelDecision, type NewModelDecision } from "../storage/model-decisions-repo";
import { deleteVersion, readManifest, writeManifest } from "../storage/model-store";
import { listSites } from "../storage/sites-repo";
import { READABLE_VERSIONS } from "./artifact";
import { canaryPolicy, guardrailThresholds, promoteCanary, rollBackCanary, startCanary } from "./canary";
import { rolledBack, withNewVersion, type Manifest } from "./manifest";
import { writeRandomVersion } from "./random-version";
import { CANARY_PENDING, modelLease, newVersionName, trainSite } from "./train";

/** Publishing a random version or deciding takes seconds; the lease outlives any of it. */
const JOB_LEASE_MS = 5 * 60_000;

type Trigger = ModelDecision["trigger"];

/** Runs `fn` holding the site's manifest lease; 409 when a retrain or another canary job holds it. */
async function withModelLease<T>(env: Env, siteId: string, now: number, fn: () => Promise<T>): Promise<T> {
  const holder = crypto.randomUUID();
  if (!(await acquireLease(env.DB, modelLease(siteId), holder, JOB_LEASE_MS, now))) {
    throw new ApiError(409, "retrain_running", "a retrain or another model change of this site is running");
  }
  try {
    return await fn();
  } finally {
    await releaseLease(env.DB, modelLease(siteId), holder);
  }
}

async function freshManifest(env: Env, siteId: string): Promise<Manifest> {
  const m = await readManifest(env.MODELS, siteId, { fresh: true });
  if (!m) throw new ApiError(409, "no_model", "this site has no trained model yet (POST /admin/retrain first)");
  return m;
}

function assertNoCanary(m: Manifest): void {
  if (m.canary) {
    throw new ApiError(409, "canary_pending", `canary ${m.canary.version} is pending: evaluate it or roll it back first`);
  }
}

/**
 * Records the decision, then writes the manifest; if the write fails the record is deleted again, so a decision
 * is on file exactly when it took effect.
 */
async function applyDecision(env: Env, siteId: string, next: Manifest, d: NewModelDecision): Promise<ModelDecision> {
  const recorded = await insertDecision(env.DB, d);
  try {
    await writeManifest(env.MODELS, siteId, next);
  } catch (err) {
    await env.DB.prepare("DELETE FROM model_decisions WHERE id = ?1").bind(recorded.id).run();
    throw err;
  }
  return recorded;
}

export type CanaryRequest = { version?: string; build?: "retrain" | "random"; share: number };

/** Makes a canary: a kept version, a fresh retrain, or (simulation only) a random copy of the current version. */
export async function publishCanary(env: Env, siteId: string, req: CanaryRequest, now = Date.now()): Promise<Manifest> {
  if (req.version === undefined && (req.build ?? "retrain") === "retrain") {
    // Pre-checked for a clear 409; train() re-checks under the lease.
    const before = await freshManifest(env, siteId);
    assertNoCanary(before);
    const result = await trainSite(env, siteId, { now, canary: { share: req.share } });
    if ("skipped" in result) {
      if (result.skipped === CANARY_PENDING) throw new ApiError(409, "canary_pending", "a canary is pending: evaluate it or roll it back first");
      throw new ApiError(409, "retrain_running", "a retrain of this site is already running");
    }
    return freshManifest(env, siteId);
  }
  return withModelLease(env, siteId, now, async () => {
    const m = await freshManifest(env, siteId);
    assertNoCanary(m);
    if (req.version !== undefined) {
      const v = m.versions.find((x) => x.version === req.version);
      const issues = [{ path: "version", message: "must be one of the kept versions (GET /admin/models)" }];
      if (!v) throw new ApiError(404, "version_not_found", `no kept version ${req.version}`, issues);
      if (v.version === m.current.version) throw new ApiError(409, "version_is_current", `${v.version} is already served`, [{ path: "version", message: "must not be the served version" }]);
      if (!READABLE_VERSIONS.includes(v.format)) throw new ApiError(409, "version_unreadable", `${v.version} is in a format this code does not read`);
      const next = startCanary(m, v.version, req.share, now);
      await writeManifest(env.MODELS, siteId, next);
      return next;
    }
    const v = await writeRandomVersion(env.MODELS, siteId, m, newVersionName(now), now);
    const { manifest, dropped } = withNewVersion(m, v, { share: req.share, now });
    await writeManifest(env.MODELS, siteId, manifest);
    for (const old of dropped) await deleteVersion(env.MODELS, siteId, old.version);
    return manifest;
  });
}

export type Evaluation = {
  decision: "promoted" | "rolled_back" | "none";
  canary: string;
  current: string;
  figures: GuardrailDecision;
  /** The recorded decision (absent for "none": waiting is not recorded). */
  record?: ModelDecision;
};


/**
 * The guardrail on a site's pending canary: impressions and clicks of both versions since the canary's first day
 * (rec_rollups, one query), the decision (src/recommend/canary-guardrail.ts), and its effect. Null: no canary.
 */
export async function evaluateCanary(env: Env, siteId: string, policy: CanaryPolicy, trigger: Trigger, now = Date.now()): Promise<Evaluation | null> {
  return withModelLease(env, siteId, now, async () => {
    const m = await readManifest(env.MODELS, siteId, { fresh: true });
    const c = m?.canary;
    if (!m || !c) return null;
    const counts = await canaryCounts(env.DB, siteId, c.startedAt, c.version, m.current.version);
    const d = decideCanary(counts.canary, counts.current, now - c.startedAt, guardrailThresholds(policy));
    const base = { canary: c.version, current: m.current.version, figures: d };
    if (d.decision === "none") return { ...base, decision: "none" };
    const record: Omit<NewModelDecision, "decision" | "servedAfter"> = {
      siteId,
      decidedAt: now,
      version: c.version,
      againstVersion: m.current.version,
      rule: d.rule,
      trigger,
      figures: { ...d, share: c.share, startedAt: c.startedAt },
    };
    if (d.decision === "promote") {
      const next = promoteCanary(m)!;
      return { ...base, decision: "promoted", record: await applyDecision(env, siteId, next.manifest, { ...record, decision: "promoted", servedAfter: c.version }) };
    }
    const next = rollBackCanary(m, now)!;
    return { ...base, decision: "rolled_back", record: await applyDecision(env, siteId, next.manifest, { ...record, decision: "rolled_back", servedAfter: m.current.version }) };
  });
}

/**
 * An operator's rollback: the pending canary if there is one (current stays), else the served version back to
 * the kept one before it. Recorded with trigger "manual".
 */
export async function rollbackModel(env: Env, siteId: string, now = Date.now()): Promise<{ manifest: Manifest; record: ModelDecision }> {
  return withModelLease(env, siteId, now, async () => {
    const m = await readManifest(env.MODELS, siteId, { fresh: true });
    if (!m) throw new ApiError(404, "no_model", "this site has no trained model");
    const base = { siteId, decidedAt: now, decision: "rolled_back" as const, rule: "manual", trigger: "manual" as const };
    if (m.canary) {
      const c = m.canary;
      const counts = await canaryCounts(env.DB, siteId, c.startedAt, c.version, m.current.version);
      const next = rollBackCanary(m, now)!.manifest;
      const record = await applyDecision(env, siteId, next, {
        ...base,
        version: c.version,
        againstVersion: m.current.version,
        servedAfter: m.current.version,
        figures: { ...counts, share: c.share, startedAt: c.startedAt, ageMs: now - c.startedAt },
      });
      return { manifest: next, record };
    }
    const next = rolledBack(m);
    if (!next) throw new ApiError(409, "no_previous_version", "there is no older kept version to roll back to");
    const record = await applyDecision(env, siteId, next, { ...base, version: m.current.version, againstVersion: null, servedAfter: next.current.version, figures: {} });
    return { manifest: next, record };
  });
}

/** The cron's guardrail pass: every site with a pending canary; one site's failure (or busy lease) does not stop the others. */
export async function evaluateCanaries(env: Env, now: number): Promise<{ evaluated: number; decided: number; failed: string[] }> {
  const sites = await listSites(database(env.DB));
  // Manifest reads in chunks of six (a Worker's simultaneous connections).
  const manifests: (Manifest | null)[] = [];
  for (let i = 0; i < sites.length; i += 6) {
    manifests.push(...(await Promise.all(sites.slice(i, i + 6).map((s) => readManifest(env.MODELS, s.id, { fresh: true }).catch(() => null)))));
  }
  let evaluated = 0;
  let decided = 0;
  const failed: string[] = [];
  for (const [i, site] of sites.entries()) {
    if (!manifests[i]?.canary) continue;
    try {
      const e = await evaluateCanary(env, site.id, canaryPolicy(site.config), "cron", now);
      if (!e) continue;
      evaluated++;
      if (e.decision !== "none") decided++;
      console.log(JSON.stringify({ job: "canary", siteId: site.id, decision: e.decision, canary: e.canary, current: e.current, rule: e.figures.rule, pValue: e.figures.pValue }));
    } catch (err) {
      failed.push(site.id);
      console.error(JSON.stringify({ job: "canary", siteId: site.id, error: err instanceof Error ? err.message : String(err) }));
    }
  }
  return { evaluated, decided, failed };
}
