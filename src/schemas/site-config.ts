// Per-site configuration an operator sets with PUT /admin/sites/:id/config: per-slot defaults (k and business
// rules) and blend weights. A request's own parameters override its slot's defaults.
import * as z from "zod";
import {
  CANARY_DEFAULT_SHARE,
  CANARY_MAX_AGE_MS,
  CANARY_MAX_CTR_DROP,
  CANARY_MAX_SHARE,
  CANARY_MIN_IMPRESSIONS,
  CANARY_SIGNIFICANCE,
  MAX_K,
  MAX_LABEL_LENGTH,
  MAX_PINS,
  MAX_RULE_LIST,
  SEGMENT_MAX_K,
  SEGMENT_MAX_SLOT_OVERRIDES,
} from "../config/limits";
import { SCORE_NAMES } from "../recommend/behaviour-score";
import { FEATURE_GROUPS, SCALINGS } from "../recommend/segment-features";
import { SEGMENT_METHODS } from "../recommend/segments";
import { LIST_KINDS } from "../recommend/pipeline";
import { SOURCE_NAMES, type SourceName } from "../recommend/sources";
import { idString, wellFormedString } from "./common";

const category = wellFormedString().min(1).max(MAX_LABEL_LENGTH);

export const rulesSchema = z.strictObject({
  exclude: z.array(idString).max(MAX_RULE_LIST).optional(),
  includeCategories: z.array(category).max(MAX_RULE_LIST).optional(),
  excludeCategories: z.array(category).max(MAX_RULE_LIST).optional(),
  excludePurchased: z.boolean().optional(),
  excludeViewed: z.boolean().optional(),
  includeViewed: z.boolean().optional(),
  boost: z.array(idString).max(MAX_RULE_LIST).optional(),
  pin: z.array(idString).max(MAX_PINS).optional(),
  maxPerCategory: z.number().int().min(1).max(MAX_K).optional(),
  diversity: z.number().min(0).max(1).optional(),
});
export type Rules = z.infer<typeof rulesSchema>;

export const slotName = z.string().regex(/^[a-z0-9_-]{1,64}$/, "must be 1-64 lowercase letters, digits, - or _");

/** The blend's sources are the registry's (src/recommend/sources/index.ts): a new source's weight is settable at once. */
export const BLEND_SOURCES = SOURCE_NAMES;
export type BlendSource = SourceName;

/** A canary's share of visitors: above 0, at most CANARY_MAX_SHARE. */
export const canaryShare = z.number().gt(0).max(CANARY_MAX_SHARE);

/**
 * The site's canary policy (issue 10 part 4): `retrain` true makes the hourly retrain publish each new version as a
 * canary with `share`; the thresholds are the guardrail's for every canary of the site (admin-started ones too).
 */
export const canaryPolicySchema = z.strictObject({
  retrain: z.boolean().default(false),
  share: canaryShare.default(CANARY_DEFAULT_SHARE),
  minImpressions: z.number().int().min(1).max(100_000_000).default(CANARY_MIN_IMPRESSIONS),
  maxCtrDrop: z.number().min(0).max(1).default(CANARY_MAX_CTR_DROP),
  significance: z.number().gt(0).max(0.5).default(CANARY_SIGNIFICANCE),
  maxAgeHours: z.number().gt(0).max(24 * 90).default(CANARY_MAX_AGE_MS / 3_600_000),
});
export type CanaryPolicy = z.infer<typeof canaryPolicySchema>;

/**
 * A slot's change for one segment (issue 13 part 7): `slots.<slot>.segments.<segment id>`, merged over the slot's
 * own (rules and weights key by key, sources replaced, k replaced); a request's own parameters still win. Segment
 * ids are the stable ids of GET /admin/segments; 0 is the new-visitor segment.
 */
export const segmentSlotOverrideSchema = z.strictObject({
  k: z.number().int().min(1).max(MAX_K).optional(),
  rules: rulesSchema.optional(),
  weights: z.partialRecord(z.enum(BLEND_SOURCES), z.number().min(0).max(100)).optional(),
  sources: z.array(z.enum(SOURCE_NAMES)).min(1).max(SOURCE_NAMES.length).optional(),
});
export type SegmentSlotOverride = z.infer<typeof segmentSlotOverrideSchema>;
const segmentOverrides = z
  .record(z.string().regex(/^\d{1,6}$/, "must be a segment id (digits, as in GET /admin/segments)"), segmentSlotOverrideSchema)
  .refine((o) => Object.keys(o).length <= SEGMENT_MAX_SLOT_OVERRIDES, `must define at most ${SEGMENT_MAX_SLOT_OVERRIDES} segments`);

/**
 * Segmentation settings (src/recommend/segments.ts, README "Segments"): feature scaling, a weight per feature group,
 * the minimum evidence (events) for a behavioural segment, the k range and methods tried, and the weights of the
 * behavioural score. Every field is optional; read at the next retrain.
 */
export const segmentsConfigSchema = z
  .strictObject({
    scaling: z.enum(SCALINGS).optional(),
    weights: z.partialRecord(z.enum(FEATURE_GROUPS), z.number().min(0).max(10)).optional(),
    minEvents: z.number().int().min(1).max(1000).optional(),
    kMin: z.number().int().min(2).max(SEGMENT_MAX_K).optional(),
    kMax: z.number().int().min(2).max(SEGMENT_MAX_K).optional(),
    methods: z.array(z.enum(SEGMENT_METHODS)).min(1).max(SEGMENT_METHODS.length).optional(),
    scoreWeights: z.partialRecord(z.enum(SCORE_NAMES), z.number().min(0).max(10)).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.kMin !== undefined && s.kMax !== undefined && s.kMin > s.kMax) ctx.addIssue({ code: "custom", path: ["kMax"], message: "must be at least kMin" });
    if (s.weights && Object.keys(s.weights).length > 0 && Object.values(s.weights).every((w) => w === 0)) {
      ctx.addIssue({ code: "custom", path: ["weights"], message: "at least one feature group needs a weight above 0" });
    }
  });

export const siteConfigSchema = z.strictObject({
  slots: z
    .record(
      slotName,
      // `kind`: "recommendations" (the blend, the default) or "recently_viewed" (the visitor's own items, newest first).
      // `segments`: per-segment changes of this slot (segmentSlotOverrideSchema).
      rulesSchema.extend({ k: z.number().int().min(1).max(MAX_K).optional(), kind: z.enum(LIST_KINDS).optional(), segments: segmentOverrides.optional() }),
    )
    .refine((o) => Object.keys(o).length <= 20, "must define at most 20 slots")
    .default({}),
  /**
   * Whether items absent from the catalog may be served (false by default). Event item ids are whatever clients
   * send, so without a catalog entry an id is no display text; a site without a catalog opts in here, and its
   * lists then show ids as they come.
   */
  allowUncatalogued: z.boolean().default(false),
  /** Relative weights of the candidate sources; omitted sources keep the tuned defaults. */
  weights: z.partialRecord(z.enum(BLEND_SOURCES), z.number().min(0).max(100)).optional(),
  /** Canary rollout of new model versions; absent: the defaults in limits.ts, retrains publish directly. */
  canary: canaryPolicySchema.optional(),
  segments: segmentsConfigSchema.optional(),
});
export type SiteConfig = z.infer<typeof siteConfigSchema>;
