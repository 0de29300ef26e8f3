// Experiments on the serve path (issue 10 part 3): the one place every read route (/v1/recommendations,
// /v1/sessions/:id/next, /v1/items/:id/similar) turns a slot's shape into the running experiment's variant of it.
import type { Manifest } from "../models/manifest";
import { applyChange, assignVariant, experimentForSlot, pinnedManifest, variantLabel, type ServeShape } from "../recommend/experiments";
import { NO_VARIANT } from "../recommend/exposure";
import { assertRulesConsistent } from "../lib/validate";
import { database } from "../storage/db";
import { runningExperiments } from "../storage/experiments-repo";

export type ExperimentShape = ServeShape & { variant: string };

/**
 * The slot's weights, rules, sources and model version after the running experiment's variant (if any), and that
 * variant's label. `visitorKey`: the verified userId, else the anonymous id; null gets the control variant. The
 * running experiments are isolate-cached (one indexed D1 read when cold), so callers run this beside their reads.
 */
export async function experimentShape(d1: D1Database, siteId: string, slot: string, visitorKey: string | null, base: ServeShape): Promise<ExperimentShape> {
  const exp = experimentForSlot(await runningExperiments(database(d1), siteId), slot);
  if (!exp) return { ...base, variant: NO_VARIANT };
  const v = assignVariant(exp.id, exp.config.variants, visitorKey);
  const shape = applyChange(base, v.change);
  // Validated against the slot at PUT time; a request's own rule parameters may still conflict with the variant's.
  assertRulesConsistent(shape.rules, { note: `in this request under experiment ${exp.id}` });
  return { ...shape, variant: variantLabel(exp.id, v.name) };
}

/** The manifest to serve under `shape`: its pinned model version when the manifest still keeps it. */
export function shapedManifest(manifest: Manifest | null, shape: ServeShape): Manifest | null {
  return pinnedManifest(manifest, shape.modelVersion);
}
