// Contracts of /admin/experiments (issue 10 part 3): which slots an experiment covers, its variants with traffic
// weights, and what each variant changes. Shared by routes/admin-experiments.ts and the OpenAPI document.
import * as z from "zod";
import { MAX_EXPERIMENT_ID_LENGTH, MAX_EXPERIMENT_SLOTS, MAX_EXPERIMENT_VARIANTS, MAX_VARIANT_NAME_LENGTH } from "../config/limits";
import { SOURCE_NAMES } from "../recommend/sources";
import { BLEND_SOURCES, rulesSchema, slotName } from "./site-config";
import { siteIdString } from "./sites";

/** A model version id as the manifest names them (`v…`), within the exposure token's 32-byte model field. */
export const modelVersionString = z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, "must be 1-32 letters, digits, '.', '_' or '-'");

export const experimentId = z
  .string()
  .regex(new RegExp(`^[a-z0-9_-]{1,${MAX_EXPERIMENT_ID_LENGTH}}$`), `must be 1-${MAX_EXPERIMENT_ID_LENGTH} lowercase letters, digits, - or _`);
const variantName = z
  .string()
  .regex(new RegExp(`^[a-z0-9_-]{1,${MAX_VARIANT_NAME_LENGTH}}$`), `must be 1-${MAX_VARIANT_NAME_LENGTH} lowercase letters, digits, - or _`);

/** What a variant changes in the served request; `control: true` is the non-personalized control (trending only). */
export const variantChangeSchema = z
  .strictObject({
    weights: z.partialRecord(z.enum(BLEND_SOURCES), z.number().min(0).max(100)).optional(),
    rules: rulesSchema.optional(),
    sources: z.array(z.enum(SOURCE_NAMES)).min(1).max(SOURCE_NAMES.length).optional(),
    control: z.literal(true).optional(),
    /** Serve this stored model version (one the site's manifest keeps; checked at PUT) instead of the current one. */
    modelVersion: modelVersionString.optional(),
  })
  .refine((c) => !(c.control && c.sources), { path: ["sources"], message: "must be absent when control is true (the control serves trending only)" });

export const variantSchema = z.strictObject({
  name: variantName,
  /** Traffic share, relative to the other variants' weights. */
  weight: z.number().positive().max(1_000_000),
  change: variantChangeSchema.default({}),
});

export const experimentConfigSchema = z
  .strictObject({
    slots: z.array(slotName).min(1).max(MAX_EXPERIMENT_SLOTS),
    variants: z.array(variantSchema).min(2).max(MAX_EXPERIMENT_VARIANTS),
    /**
     * Only visitors of this segment (its stable id in the served model, GET /admin/segments; 0 = new visitors) enter;
     * the others are served the slot's list outside the experiment (issue 13 part 7).
     */
    segment: z.number().int().min(0).max(1_000_000).optional(),
    /** Only "draft": an experiment is started with POST …/start. */
    status: z.literal("draft").optional(),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.variants.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: "custom", path: ["variants", i, "name"], message: `duplicate variant name ${v.name}` });
      seen.add(v.name);
    });
    if (new Set(e.slots).size !== e.slots.length) ctx.addIssue({ code: "custom", path: ["slots"], message: "must not repeat a slot" });
  });
export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;
export type Variant = ExperimentConfig["variants"][number];
export type VariantChange = Variant["change"];

export const experimentSiteQuery = z.strictObject({ site: siteIdString });
/** GET …/results: optionally one of the experiment's slots only. */
export const experimentResultsQuery = z.strictObject({ site: siteIdString, slot: slotName.optional() });
export const winnerBodySchema = z.strictObject({ variant: variantName });
