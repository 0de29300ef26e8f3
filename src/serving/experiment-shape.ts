// Experiments on the serve path (issue 10 part 3): the one place every read route (/v1/recommendations,
// /v1/sessions/:id/next, /v1/items/:id/similar) turns a slot's shape into the running experiment's variant of it.
import type { Manifest } from "../models/manifest";
import { applyChange, assignVariant, experimentForSlot, pinnedManifest, variantLabel, type RunningExperiment, type ServeShape } from "../recommend/experiments";
import { NO_VARIANT } from "../recommend/exposure";
import { assertRulesConsistent } from "../lib/validate";
import { database } from "../storage/db";
import type { SiteConfig } from "../schemas/site-config";
import { runningExperiments } from "../storage/experiments-repo";

export type ExperimentShape = ServeShape & { variant: string };

/** The running experiment on this slot, if any (the site's running experiments are isolate-cached). */
export async function slotExperiment(d1: D1Database, siteId: string, slot: string): Promise<RunningExperiment | null> {
  return experimentForSlot(await runningExperiments(database(d1), siteId), slot);
}

/**
 * The slot's weights, rules, sources and model version after the experiment's variant (if any), and that variant's
 * label. `visitorKey`: the verified userId, else the anonymous id; null gets the control variant. A one-segment
 * experiment (issue 13 part 7) leaves visitors of other segments, and requests without a visitor, outside it.
 */
export function shapeFor(exp: RunningExperiment | null, segment: number | null, visitorKey: string | null, base: ServeShape): ExperimentShape {
  if (!exp || (exp.config.segment !== undefined && exp.config.segment !== segment)) return { ...base, variant: NO_VARIANT };
  const v = assignVariant(exp.id, exp.config.variants, visitorKey);
  const shape = applyChange(base, v.change);
  // Validated against the slot at PUT time; a request's own rule parameters may still conflict with the variant's.
  assertRulesConsistent(shape.rules, { note: `in this request under experiment ${exp.id}` });
  return { ...shape, variant: variantLabel(exp.id, v.name) };
}

/** Both steps, for routes without a visitor segment (/v1/sessions/:id/next, /v1/items/:id/similar). */
export async function experimentShape(d1: D1Database, siteId: string, slot: string, visitorKey: string | null, base: ServeShape): Promise<ExperimentShape> {
  return shapeFor(await slotExperiment(d1, siteId, slot), null, visitorKey, base);
}

/**
 * The pipeline request fields a slot's shape sets (src/serving/recommend.ts ServeRequest): the one mapping every
 * read route hands to recommend().
 */
export function shapeFields(shape: ExperimentShape, config: Pick<SiteConfig, "allowUncatalogued">) {
  return { variant: shape.variant, rules: shape.rules, sources: shape.sources, weights: shape.weights, allowUncatalogued: config.allowUncatalogued };
}

/** The manifest to serve under `shape`: its pinned model version when the manifest still keeps it. */
export function shapedManifest(manifest: Manifest | null, shape: ServeShape): Manifest | null {
  return pinnedManifest(manifest, shape.modelVersion);
}
