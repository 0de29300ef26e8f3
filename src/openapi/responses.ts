// The answers of every route as zod schemas, for the OpenAPI document (src/openapi/document.ts). Requests are
// validated by the contracts in src/schemas/; answers are built from TypeScript types in the route and storage
// modules, so these schemas restate those shapes, and test/workers/openapi.test.ts parses real answers with them
// (strictly) so a changed answer fails a test instead of drifting from the document.
import * as z from "zod";
import { EVENT_TYPES } from "../schemas/event-types";
import { KEY_KINDS } from "../schemas/sites";

/** src/lib/errors.ts ErrorBody: every 4xx and 5xx answer. */
export const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().meta({ description: "stable machine-readable code, e.g. invalid_request, missing_key, rate_limited" }),
    message: z.string().meta({ description: "what went wrong, for humans" }),
    issues: z
      .array(z.strictObject({ path: z.string().meta({ description: 'the field at fault, e.g. "events[2].id" or "k"' }), message: z.string() }))
      .optional()
      .meta({ description: "one entry per field at fault (validation errors)" }),
  }),
});

export const healthSchema = z.strictObject({ ok: z.boolean(), d1: z.enum(["ok", "unavailable"]) });

const perEventNote = z.strictObject({
  index: z.number().int().meta({ description: "position of the event in `events`" }),
  id: z.string().optional(),
  field: z.string().meta({ description: 'the field at fault, or "(event)" for the whole event' }),
  code: z.string(),
  message: z.string(),
});

/** src/schemas/events.ts IngestResult. */
export const ingestResultSchema = z.strictObject({
  accepted: z.array(z.string()).meta({ description: "ids of the newly accepted events, durable in the ingest queue (stored in D1 moments later)" }),
  duplicates: z
    .array(z.string())
    .optional()
    .meta({ description: "ids an earlier request already accepted (stored once, not counted again); see README Ingest pipeline" }),
  ignored: z.array(z.string()).optional().meta({ description: "accepted but stored nowhere: the visitor declined analytics" }),
  rejected: z.array(perEventNote),
  warnings: z.array(perEventNote).optional().meta({ description: "accepted, but not as sent (e.g. unverified_user_id)" }),
});

const perMessageNote = z.strictObject({
  index: z.number().int().meta({ description: "position of the message in `batch` (0 for a single call)" }),
  messageId: z.string().optional(),
  field: z.string().meta({ description: 'the Segment field at fault, e.g. "properties.product_id", or "(message)"' }),
  code: z.string(),
  message: z.string(),
});

/** src/schemas/segment.ts SegmentResult. */
export const segmentResultSchema = z.strictObject({
  success: z.literal(true),
  accepted: z.array(z.string()).meta({ description: "messageIds of the accepted messages" }),
  ignored: z.array(z.string()).optional(),
  duplicates: z.array(z.string()).optional().meta({ description: "messageIds an earlier request already accepted (stored once)" }),
  rejected: z.array(perMessageNote),
  warnings: z.array(perMessageNote).optional(),
  sessions: z.record(z.string(), z.string()).optional().meta({ description: "anonymousId → its latest session id (derived or as sent)" }),
});

const consentStateSchema = z.strictObject({
  analytics: z.boolean(),
  personalization: z.boolean(),
  updatedAt: z.number().int(),
  source: z.enum(["browser", "server"]),
});

const erasedCountsSchema = z.strictObject({
  events: z.number().int(),
  profiles: z.number().int(),
  profileItems: z.number().int(),
  identities: z.number().int(),
  consents: z.number().int(),
  consentHistory: z.number().int(),
  sessions: z.number().int(),
  cachedLists: z.number().int(),
  modelDeltas: z.number().int(),
  archivedEvents: z.number().int().meta({ description: "events removed from the R2 raw event archive" }),
});

/** src/privacy/erasure.ts ErasureReceipt. */
export const erasureReceiptSchema = z.strictObject({
  status: z.enum(["done", "running"]),
  jobId: z.string(),
  erased: erasedCountsSchema,
  suppressed: z.number().int().meta({ description: "ids now suppressed at ingest" }),
  statusUrl: z.string().meta({ description: "where to follow a running job" }),
});

/** src/routes/consent.ts ConsentAnswer. */
export const consentAnswerSchema = z.strictObject({
  ok: z.literal(true),
  anonymousId: z.string(),
  consent: consentStateSchema,
  applied: z.boolean().meta({ description: "false when a newer choice (by ts) was already recorded" }),
  receipt: z.string().nullable().meta({ description: "send it with the next change of this choice (public key)" }),
  erasure: z.strictObject({ method: z.literal("POST"), path: z.literal("/v1/users/me/forget") }).optional(),
  erasureReceipt: erasureReceiptSchema.optional(),
});

/** src/storage/items-repo.ts itemView. */
export const itemViewSchema = z.strictObject({
  id: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  image: z.string().nullable(),
  categories: z.array(z.string()),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  available: z.boolean(),
  updatedAt: z.number().int(),
});

export const itemUpsertResultSchema = z.strictObject({ upserted: z.number().int() });

/** src/recommend/pipeline.ts ListItem. */
const recommendedItemSchema = z.strictObject({
  id: z.string(),
  score: z.number(),
  reason: z.strictObject({
    kind: z.string().meta({ description: "e.g. next, similar, bought_with, because_you_viewed, related, segment, trending" }),
    itemId: z.string().optional(),
    text: z.string(),
  }),
  title: z.string().optional(),
  url: z.string().optional(),
  image: z.string().optional(),
});

const listBase = {
  recommendationId: z.string().meta({ description: "send it back in events' context.recommendationId for attribution" }),
  modelVersion: z.string().nullable(),
  items: z.array(recommendedItemSchema),
};

export const similarAnswerSchema = z.strictObject({ ...listBase, itemId: z.string() });

export const nextAnswerSchema = z.strictObject({
  ...listBase,
  sessionId: z.string(),
  pathLength: z.number().int(),
  personalized: z.boolean(),
});

export const recommendationsAnswerSchema = z.strictObject({
  ...listBase,
  slot: z.string(),
  personalized: z.boolean(),
  cached: z.boolean(),
});

/** POST /v1/events' answer: the ingest result, and with `?recommend=<slot>` that slot's refreshed list. */
export const ingestAnswerSchema = ingestResultSchema.extend({
  recommendations: recommendationsAnswerSchema.optional().meta({ description: "with `recommend=<slot>`: the slot's list after these events" }),
});

/** src/session/types.ts SessionSnapshot. */
export const sessionSnapshotSchema = z.strictObject({
  siteId: z.string(),
  sessionId: z.string(),
  startedAt: z.number().int(),
  lastEventAt: z.number().int(),
  expiresAt: z.number().int(),
  path: z.array(z.strictObject({ itemId: z.string(), type: z.enum(EVENT_TYPES), ts: z.number().int() })),
});

const profileFields = {
  userId: z.string().nullable(),
  anonymousIds: z.array(z.string()),
  firstSeen: z.number().int(),
  lastSeen: z.number().int(),
  eventCount: z.number().int(),
  counts: z.strictObject(Object.fromEntries(EVENT_TYPES.map((t) => [t, z.number().int()]))),
  recentItems: z.array(
    z.strictObject({ itemId: z.string(), lastTs: z.number().int(), interactions: z.number(), carts: z.number(), purchases: z.number() }),
  ),
  consent: z.strictObject({ analytics: z.boolean(), personalization: z.boolean(), updatedAt: z.number().int() }).nullable(),
  /** GET /v1/users/:id only (src/serving/visitor-segment.ts); the export document carries `segment` at its top level. */
  segment: z
    .strictObject({
      id: z.number().int().meta({ description: "stable across retrains; 0 = new visitor (too little history for a behavioural segment)" }),
      description: z.string(),
      newVisitor: z.boolean(),
      modelVersion: z.string(),
    })
    .nullable()
    .optional(),
  behaviour: z
    .strictObject({
      recency: z.number(),
      frequency: z.number(),
      engagement: z.number(),
      conversion: z.number(),
      score: z.number().meta({ description: "weighted mean of the four 0-100 scores (site config segments.scoreWeights)" }),
      affinities: z.array(z.strictObject({ category: z.string(), share: z.number() })),
    })
    .nullable()
    .optional(),
};

/** src/storage/profiles-repo.ts publicProfileView: no internal profile id, only the caller's own anonymous id. */
export const publicProfileSchema = z.strictObject(profileFields);
/** src/storage/profiles-repo.ts ProfileView (server key or admin token). */
export const profileSchema = z.strictObject({ profileId: z.string(), ...profileFields });

/** GET /v1/users/:id: the full view for the server key, the public view otherwise. */
export const profileAnswerSchema = z.union([profileSchema, publicProfileSchema]);

/** src/privacy/export.ts ExportDocument. */
export const exportDocumentSchema = z.strictObject({
  profile: profileAnswerSchema.nullable(),
  linkedIds: z.strictObject({ anonymousIds: z.array(z.string()), userId: z.string().nullable() }),
  consentHistory: z.array(
    z.strictObject({
      anonymousId: z.string(),
      analytics: z.boolean(),
      personalization: z.boolean(),
      ts: z.number().int(),
      recordedAt: z.number().int(),
      source: z.enum(["browser", "server"]),
      applied: z.boolean(),
    }),
  ),
  segment: z.strictObject({ segment: z.number().int(), description: z.string() }).nullable(),
  events: z.array(
    z.strictObject({
      id: z.string(),
      type: z.string(),
      anonymousId: z.string(),
      userId: z.string().nullable(),
      sessionId: z.string(),
      itemId: z.string().nullable(),
      ts: z.number().int(),
      receivedAt: z.number().int(),
      context: z.unknown(),
      properties: z.unknown(),
    }),
  ),
  nextCursor: z.string().nullable().meta({ description: "pass it back for the next page; null on the last page" }),
});

/** src/storage/site-keys-repo.ts KeyListing: a credential's id, kind and hint, never the key. */
const keyListingSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(KEY_KINDS),
  hint: z.string().meta({ description: 'the first characters, e.g. "pk_Ab3…"' }),
  createdAt: z.number().int(),
  expiresAt: z.number().int().nullable(),
});

/** src/routes/admin.ts siteView. `config` is the stored site config (src/schemas/site-config.ts). */
export const siteViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  allowedOrigins: z.array(z.string()),
  identityVerification: z.enum(["required", "off"]),
  config: z.record(z.string(), z.unknown()),
  keys: z.array(keyListingSchema),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  newKeys: z
    .strictObject({ writeKey: z.string().optional(), serverKey: z.string().optional(), identitySecret: z.string().optional() })
    .optional()
    .meta({ description: "credentials generated or set by this request, shown once" }),
});

export const siteListSchema = z.strictObject({ sites: z.array(siteViewSchema) });

export const keyRotateAnswerSchema = z.strictObject({
  site: z.string(),
  kind: z.enum(KEY_KINDS),
  writeKey: z.string().optional(),
  serverKey: z.string().optional(),
  identitySecret: z.string().optional(),
  key: keyListingSchema,
  previousValidUntil: z.number().int().meta({ description: "the replaced credentials work until then (ms)" }),
});

/** src/models/manifest.ts ModelVersion. */
export const modelVersionSchema = z.strictObject({
  version: z.string(),
  createdAt: z.number().int(),
  format: z.number().int(),
  families: z.array(z.string()).optional(),
  configDigest: z.string(),
  itemCount: z.number().int(),
  nShards: z.number().int(),
  statsParts: z.number().int(),
  watermark: z.number().int(),
  cutBucket: z.number().int(),
  bytes: z.strictObject({ shards: z.number(), trending: z.number(), stats: z.number(), personal: z.number().optional() }),
  personal: z.strictObject({ nShards: z.number().int(), families: z.array(z.string()).optional() }).optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.string()])).meta({ description: "offline training figures (sessions, items, bytes, segment quality, train time)" }),
  rolledBackAt: z.number().int().optional().meta({ description: "when it was rolled back as a canary (ms); never served again" }),
});

const armSchema = z.strictObject({ impressions: z.number(), clicks: z.number(), ctr: z.number().nullable() });

/** src/recommend/canary-guardrail.ts GuardrailDecision. */
export const guardrailDecisionSchema = z.strictObject({
  decision: z.enum(["promote", "rollback", "none"]),
  rule: z.enum(["insufficient", "expired", "significantly_worse", "not_worse", "within_noise"]),
  canary: armSchema,
  current: armSchema,
  relativeDrop: z.number().nullable().meta({ description: "(current CTR - canary CTR) / current CTR" }),
  z: z.number().nullable(),
  pValue: z.number().nullable().meta({ description: "one-sided p-value of 'canary CTR < current CTR' (pooled two-proportion z-test)" }),
  thresholds: z.strictObject({ minImpressions: z.number(), maxCtrDrop: z.number(), significance: z.number(), maxAgeMs: z.number() }),
  ageMs: z.number(),
});

/** src/storage/model-decisions-repo.ts ModelDecision. */
export const modelDecisionSchema = z.strictObject({
  id: z.number().int(),
  siteId: z.string(),
  decidedAt: z.number().int(),
  decision: z.enum(["promoted", "rolled_back"]),
  version: z.string().meta({ description: "the version decided on (the canary, or the served version a manual rollback left)" }),
  againstVersion: z.string().nullable().meta({ description: "the version served beside it when decided" }),
  servedAfter: z.string(),
  rule: z.string().meta({ description: "the guardrail's rule, or manual" }),
  trigger: z.enum(["cron", "admin", "manual"]),
  figures: z.record(z.string(), z.unknown()).meta({ description: "the counts, CTRs, z, p-value and thresholds the decision was made on" }),
});

const canarySchema = z.strictObject({ version: z.string(), share: z.number(), startedAt: z.number().int() });

/** A kept version with its state in GET /admin/models. */
export const keptVersionSchema = modelVersionSchema.extend({ state: z.enum(["current", "canary", "rolled_back", "kept"]) });

/** src/routes/admin-models.ts ModelsView. */
export const modelsAnswerSchema = z.strictObject({
  site: z.string(),
  current: modelVersionSchema.nullable(),
  canary: canarySchema
    .extend({ ageMs: z.number(), guardrail: guardrailDecisionSchema.meta({ description: "what the guardrail would decide now" }) })
    .nullable(),
  versions: z.array(keptVersionSchema),
  decisions: z.array(modelDecisionSchema),
});
export const rollbackAnswerSchema = z.strictObject({ site: z.string(), current: modelVersionSchema, versions: z.array(modelVersionSchema), decision: modelDecisionSchema });
export const canaryEvaluationSchema = z.strictObject({
  site: z.string(),
  decision: z.enum(["promoted", "rolled_back", "none"]),
  canary: z.string(),
  current: z.string(),
  figures: guardrailDecisionSchema,
  record: modelDecisionSchema.nullable().meta({ description: "the recorded decision; null when the guardrail waits" }),
});

/** src/models/train.ts TrainResult: one site (201), or every site's result. */
export const trainResultSchema = z.union([
  z.strictObject({ siteId: z.string(), version: modelVersionSchema }),
  z.strictObject({ siteId: z.string(), skipped: z.string() }),
]);
export const retrainAllSchema = z.strictObject({ results: z.array(trainResultSchema) });

export const sourcesAnswerSchema = z.strictObject({
  sources: z.array(
    z.strictObject({
      name: z.string(),
      defaultWeight: z.number(),
      weight: z.number(),
      normalise: z.string(),
      evidence: z.boolean(),
      families: z.array(z.strictObject({ artifact: z.string(), family: z.string() })),
      trains: z.string(),
    }),
  ),
});

const scoresSchema = z.strictObject({ score: z.number(), recency: z.number(), frequency: z.number(), engagement: z.number(), conversion: z.number() });
const xy = z.strictObject({ x: z.number(), y: z.number(), segment: z.number().int() });

/** src/routes/admin-segments.ts (src/recommend/segments.ts SegmentModel). */
export const segmentsAnswerSchema = z.strictObject({
  site: z.string(),
  modelVersion: z.string().nullable(),
  k: z.number().int(),
  note: z.string().optional().meta({ description: "why there are no segments" }),
  method: z.enum(["kmeans", "gmm", "dbscan"]).optional(),
  silhouette: z.number().optional(),
  daviesBouldin: z.number().optional(),
  selection: z.string().optional().meta({ description: "how the chosen clustering was picked, in words" }),
  structure: z.strictObject({ verdict: z.enum(["none", "weak", "reasonable", "strong"]), words: z.string() }).optional(),
  candidates: z
    .array(
      z.strictObject({
        method: z.enum(["kmeans", "gmm", "dbscan"]),
        k: z.number().int(),
        silhouette: z.number(),
        daviesBouldin: z.number(),
        bic: z.number().optional(),
        eps: z.number().optional(),
        noise: z.number().optional(),
        warmStart: z.boolean().optional(),
        carried: z.boolean().optional().meta({ description: "the previous model's centroids unchanged" }),
        eligible: z.boolean(),
        note: z.string().optional(),
        chosen: z.boolean(),
      }),
    )
    .optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  profiles: z.number().int().optional(),
  clustered: z.number().int().optional(),
  features: z.array(z.string()).optional(),
  newVisitors: z.strictObject({ id: z.literal(0), size: z.number().int(), minEvents: z.number().int(), description: z.string() }).optional(),
  segments: z.array(
    z.strictObject({
      id: z.number().int().meta({ description: "stable across retrains (matched by membership overlap); 0 is the new-visitor segment" }),
      size: z.number().int(),
      share: z.number(),
      description: z.string(),
      distinctive: z.boolean(),
      traits: z.array(z.strictObject({ feature: z.string(), value: z.number(), overall: z.number(), z: z.number() })),
      scores: scoresSchema,
      topItems: z.array(z.string()),
    }),
  ),
  projection: z.strictObject({ points: z.array(xy), centroids: z.array(xy), explained: z.tuple([z.number(), z.number()]) }).optional(),
  contextFactors: z
    .strictObject({
      target: z.literal("preferred category"),
      visitors: z.number().int(),
      heldOut: z.number().int(),
      accuracy: z.number(),
      baseline: z.strictObject({ category: z.string(), accuracy: z.number() }),
      factors: z.array(z.strictObject({ factor: z.string(), importance: z.number(), available: z.boolean() })),
      summary: z.string(),
    })
    .nullable()
    .optional(),
  stability: z.strictObject({ previous: z.boolean(), matched: z.number().int(), kept: z.number().nullable() }).optional(),
});

/** src/storage/rollups-repo.ts MetricsRow. */
const metricsRowSchema = z.strictObject({
  day: z.string(),
  slot: z.string(),
  variant: z.string().meta({ description: '"none" outside experiments' }),
  modelVersion: z.string().nullable().meta({ description: "null for lists served without a model" }),
  listsServed: z.number().int().meta({ description: "distinct lists with at least one impression" }),
  impressions: z.number().int(),
  clickedImpressions: z.number().int().meta({ description: "distinct lists with at least one click" }),
  clicks: z.number().int(),
  carts: z.number().int().meta({ description: "attributed (last recommended click on the item within the window)" }),
  purchases: z.number().int().meta({ description: "attributed, like carts" }),
  revenue: z.number().meta({ description: "of attributed purchases: price × quantity, else properties.revenue" }),
  revenueSq: z.number().meta({ description: "sum of each attributed purchase's revenue squared (revenue variance in experiment results)" }),
  visitors: z.number().int().meta({ description: "visitors first shown a list of this variant in this row (summed over rows: distinct visitors)" }),
  ctr: z.number().nullable().meta({ description: "clicks / impressions" }),
  conversion: z.number().nullable().meta({ description: "purchases / clicks" }),
});
export const metricsAnswerSchema = z.strictObject({ site: z.string(), from: z.string(), to: z.string(), rows: z.array(metricsRowSchema) });

/** src/routes/admin-experiments.ts experimentView. `variants` are as saved (src/schemas/experiments.ts). */
export const experimentViewSchema = z.strictObject({
  segment: z.number().int().optional().meta({ description: "only this segment's visitors enter (GET /admin/segments ids; 0 = new visitors)" }),
  site: z.string(),
  id: z.string(),
  status: z.enum(["draft", "running", "stopped"]),
  slots: z.array(z.string()),
  variants: z.array(z.strictObject({ name: z.string(), weight: z.number(), change: z.record(z.string(), z.unknown()) })),
  startedAt: z.number().int().nullable(),
  stoppedAt: z.number().int().nullable(),
  winner: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
/** src/recommend/experiment-results.ts ExperimentResults, with the site, status and slot filter. */
const estimateSchema = z.strictObject({ value: z.number(), low: z.number(), high: z.number() });
const boundsSchema = z.strictObject({ estimate: z.number(), low: z.number(), high: z.number() });
const comparisonSchema = z.strictObject({
  difference: boundsSchema.meta({ description: "treatment − control, 95% interval" }),
  lift: boundsSchema.nullable().meta({ description: "treatment / control − 1, delta-method 95% interval; null when the control's rate is 0" }),
  pValue: z.number().meta({ description: "two-sided" }),
  significant: z.boolean().meta({ description: "p < alphaPerComparison, with the minimum sample and no SRM" }),
});
export const experimentResultsSchema = z.strictObject({
  site: z.string(),
  status: z.enum(["draft", "running", "stopped"]),
  slot: z.string().nullable(),
  experiment: z.string(),
  control: z.string(),
  minImpressionsPerVariant: z.number().int(),
  sampleSufficient: z.boolean(),
  alphaPerComparison: z.number(),
  srm: z.strictObject({
    unit: z.literal("visitors"),
    observed: z.record(z.string(), z.number().int()),
    expectedShares: z.record(z.string(), z.number()),
    chiSquare: z.number(),
    df: z.number().int(),
    pValue: z.number(),
    threshold: z.number(),
    mismatch: z.boolean(),
  }),
  variants: z.array(
    z.strictObject({
      name: z.string(),
      weight: z.number(),
      share: z.number(),
      control: z.boolean(),
      visitors: z.number().int().meta({ description: "distinct visitors shown a list of the variant" }),
      listsServed: z.number().int(),
      impressions: z.number().int(),
      clicks: z.number().int(),
      carts: z.number().int(),
      purchases: z.number().int(),
      revenue: z.number(),
      ctr: estimateSchema.meta({ description: "clicks per impression, Wilson 95%" }),
      conversion: estimateSchema.meta({ description: "purchases per impression, Wilson 95%" }),
      revenuePerImpression: estimateSchema.meta({ description: "normal 95% interval" }),
      vsControl: z.strictObject({ ctr: comparisonSchema, conversion: comparisonSchema, revenuePerImpression: comparisonSchema }).nullable(),
    }),
  ),
  verdict: z.enum(["insufficient_sample", "sample_ratio_mismatch", "no_significant_difference", "winner"]),
  winner: z.string().nullable(),
});
export const experimentListSchema = z.strictObject({ site: z.string(), experiments: z.array(experimentViewSchema) });
export const winnerAnswerSchema = z.strictObject({
  experiment: experimentViewSchema,
  config: z.record(z.string(), z.unknown()).meta({ description: "the site config as written" }),
  notApplied: z.array(z.enum(["sources", "control", "modelVersion"])).meta({ description: "parts of the variant the site config cannot hold" }),
});
