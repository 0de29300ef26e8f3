// The route table of the OpenAPI document: every route the app serves, with its auth, parameters, body and answers,
// built from the same zod contracts the routes validate with (src/schemas/) and the answer shapes in ./responses.
// test/workers/openapi.test.ts compares this table with the Hono app's own routes, both ways.
import * as z from "zod";
import { MAX_BATCH_EVENTS, SEGMENT_MAX_BATCH_MESSAGES } from "../config/limits";
import { metricsQuery, optionalSiteQuery, retrainQuery, siteQuery } from "../schemas/admin";
import { idString } from "../schemas/common";
import { consentSchema } from "../schemas/consent";
import { eventBatchSchema, eventSchema } from "../schemas/events";
import { itemUpsertSchema } from "../schemas/items";
import { erasureJobId, exportQuerySchema, forgetBodySchema, selfExportBodySchema } from "../schemas/privacy";
import { eventsQuerySchema, nextQuerySchema, profileQuerySchema, recommendationsQuerySchema, similarQuerySchema } from "../schemas/recommendations";
import { SEGMENT_CALLS, segmentBatchSchema, segmentMessageSchema } from "../schemas/segment";
import { canaryBodySchema, modelSiteParam } from "../schemas/models";
import { experimentConfigSchema, experimentId, experimentResultsQuery, experimentSiteQuery, winnerBodySchema } from "../schemas/experiments";
import { canaryForm, dashboardPageQuery, rotateForm, signInForm, winnerForm } from "../schemas/dashboard";
import { siteConfigSchema } from "../schemas/site-config";
import { keyRotateSchema, siteIdString, siteUpsertSchema } from "../schemas/sites";
import * as r from "./responses";

/**
 * Who may call a route (the security requirements are in document.ts):
 * - `none`: anyone;
 * - `key`: the site's public write key (`X-Edgerec-Key` or `?key=`) or its server key (`X-Edgerec-Key` or Bearer);
 * - `server`: the server key, or a site key together with the admin token;
 * - `admin`: the admin bearer token;
 * - `segment`: Basic auth with a site key as the user name, or `writeKey` in the body;
 * - `dashboard`: the operator dashboard's signed session cookie (POSTs also need this Worker's own Origin).
 */
export type Access = "none" | "key" | "server" | "admin" | "segment" | "dashboard";

export type Method = "get" | "post" | "put" | "delete";

export type BodySpec = {
  schema: z.ZodType;
  /** Media types accepted; the body is JSON text under each (text/plain is for navigator.sendBeacon). */
  contentTypes: readonly string[];
  description?: string;
};

export type AnswerSpec = {
  description: string;
  /** A JSON answer's shape; absent for non-JSON answers. */
  schema?: z.ZodType;
  /** Non-JSON answers (the snippet, the demo's pages, this document's HTML page). */
  contentType?: string;
};

export type RouteSpec = {
  method: Method;
  /** Hono syntax (`/v1/items/:id`); the document writes `{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /** Schemas of the path parameters; a `:name` missing here is an opaque id (src/schemas/common.ts idString). */
  pathParams?: Record<string, z.ZodType>;
  /** The route's strict query schema (its `key` is the `siteKeyQuery` security scheme, not a parameter). */
  query?: z.ZodObject;
  /** Descriptions of query parameters, by name. */
  queryDocs?: Record<string, string>;
  body?: BodySpec;
  /** Successful answers by status. */
  answers: Record<number, AnswerSpec>;
  /** Statuses answered with the error body, beyond those of the access level (401, 403, 429) and 500. */
  errors: readonly number[];
};

const JSON_ONLY = ["application/json"] as const;
const BEACON = ["application/json", "text/plain"] as const;
const JS = "application/javascript";
const FORM = ["application/x-www-form-urlencoded"] as const;

/** The batch as documented: each element of `events` is an event (validated one by one, so one bad event is rejected alone). */
export const eventBatchBody = eventBatchSchema.extend({ events: z.array(eventSchema).min(1).max(MAX_BATCH_EVENTS) });
/** The same for Segment's `batch`. */
export const segmentBatchBody = segmentBatchSchema.extend({ batch: z.array(segmentMessageSchema).min(1).max(SEGMENT_MAX_BATCH_MESSAGES) });
/**
 * A single Segment call: one message, `type` optional (the path names the call), the key optionally in the body.
 * Built from the message's own fields; its cross-field checks (track needs `event`, …) still apply and are described.
 */
export const segmentCallBody = z.object({ ...segmentMessageSchema.shape, type: segmentMessageSchema.shape.type.optional(), writeKey: z.string().nullish() });

const SEGMENT_CALL_SUMMARY: Record<(typeof SEGMENT_CALLS)[number], string> = {
  track: "Segment track: one event (e-commerce spec names map to edgerec types)",
  page: "Segment page: a page view",
  screen: "Segment screen: a screen view (a page view)",
  identify: "Segment identify: links a user id to the anonymous id",
  alias: "Segment alias: links userId to previousId",
  group: "Segment group: stored as a custom event",
};

const segmentErrors = [400, 413, 415] as const;

function segmentSingle(call: (typeof SEGMENT_CALLS)[number], path: string, short: boolean): RouteSpec {
  return {
    method: "post",
    path,
    tag: "segment",
    summary: short ? `analytics.js short form of /v1/${call}` : SEGMENT_CALL_SUMMARY[call],
    description: `One message of the Segment Spec; a \`type\` other than "${call}" is a 400 naming \`type\`. At most 32 KB (413).`,
    access: "segment",
    body: { schema: segmentCallBody, contentTypes: JSON_ONLY, description: "any content type is read as JSON; Content-Encoding: gzip accepted" },
    answers: { 200: { description: "accepted (or rejected per message, with the field named)", schema: r.segmentResultSchema } },
    errors: segmentErrors,
  };
}

export const ROUTES: readonly RouteSpec[] = [
  // Operations
  { method: "get", path: "/health", tag: "operations", summary: "Liveness and a D1 check", access: "none", answers: { 200: { description: "up", schema: r.healthSchema }, 503: { description: "D1 unavailable", schema: r.healthSchema } }, errors: [] },
  { method: "get", path: "/openapi.json", tag: "operations", summary: "This OpenAPI 3.1 document", access: "none", answers: { 200: { description: "the document (ETag; If-None-Match answers 304)", contentType: "application/json" } }, errors: [] },
  { method: "get", path: "/docs", tag: "operations", summary: "A readable API reference generated from this document", access: "none", answers: { 200: { description: "HTML page", contentType: "text/html" } }, errors: [] },
  { method: "get", path: "/docs/docs.css", tag: "operations", summary: "The reference page's stylesheet", access: "none", answers: { 200: { description: "CSS", contentType: "text/css" } }, errors: [] },

  // Ingest
  {
    method: "post",
    path: "/v1/events",
    tag: "ingest",
    summary: "Ingest a batch of events",
    description:
      "Each event is validated on its own: invalid ones are listed in `rejected` and the rest stored. Retries with the same event id are stored once. With `recommend=<slot>` (a batch of one session and visitor) the answer also carries that slot's list as GET /v1/recommendations answers it, scored from the session that already holds these events.",
    access: "key",
    query: eventsQuerySchema,
    body: { schema: eventBatchBody, contentTypes: BEACON },
    answers: { 200: { description: "at least one event accepted", schema: r.ingestAnswerSchema } },
    errors: [400, 413, 415],
  },
  {
    method: "post",
    path: "/v1/consent",
    tag: "privacy",
    summary: "Record a visitor's consent choice",
    description: "With the public key, changing a recorded choice needs its `receipt` (403 consent_receipt_required); a server-recorded choice is 403 consent_locked.",
    access: "key",
    body: { schema: consentSchema, contentTypes: BEACON },
    answers: { 200: { description: "recorded (or kept in the history when older than the current choice)", schema: r.consentAnswerSchema } },
    errors: [400, 413, 415],
  },

  // Catalog
  {
    method: "put",
    path: "/v1/items",
    tag: "catalog",
    summary: "Bulk upsert catalog items (one transaction)",
    access: "server",
    body: { schema: itemUpsertSchema, contentTypes: JSON_ONLY },
    answers: { 200: { description: "upserted", schema: r.itemUpsertResultSchema } },
    errors: [400, 413, 415],
  },
  { method: "get", path: "/v1/items/:id", tag: "catalog", summary: "One catalog item", access: "key", answers: { 200: { description: "the item", schema: r.itemViewSchema } }, errors: [400, 404] },
  {
    method: "get",
    path: "/v1/items/:id/similar",
    tag: "recommendations",
    summary: "Items related to one item",
    access: "key",
    query: similarQuerySchema,
    queryDocs: { k: "list length" },
    answers: { 200: { description: "the list (cache-control: private, max-age=60)", schema: r.similarAnswerSchema } },
    errors: [400],
  },

  // Sessions and recommendations
  { method: "get", path: "/v1/sessions/:id", tag: "sessions", summary: "The live session path", access: "key", answers: { 200: { description: "the session", schema: r.sessionSnapshotSchema } }, errors: [400, 404] },
  {
    method: "get",
    path: "/v1/sessions/:id/next",
    tag: "recommendations",
    summary: "Next items for the live session",
    description: "Reflects every event accepted before the call, or the `path` the request carries (then the session object is not read); leaves out what the session already saw unless includeViewed=true.",
    access: "key",
    query: nextQuerySchema,
    queryDocs: { k: "list length", includeViewed: "keep items this session already saw", path: "the session's path as the client tracked it, comma-separated item ids, oldest first (at most 20): used instead of reading the live session" },
    answers: { 200: { description: "the list", schema: r.nextAnswerSchema } },
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/recommendations",
    tag: "recommendations",
    summary: "A slot's list for a visitor",
    description: "The blend of the live session, the item on screen, the visitor's history, content, segment favourites and trending, after the business rules (the slot's defaults from the site config, overridden by these parameters). `userId` needs `userHash` with the public key.",
    access: "key",
    query: recommendationsQuerySchema,
    queryDocs: {
      k: "list length (the slot's default when omitted)",
      sessionId: "the live session",
      path: "the session's path as the client tracked it, comma-separated item ids, oldest first (at most 20): used instead of reading the live session",
      anonymousId: "the visitor",
      userId: "the signed-in user (needs userHash with the public key)",
      userHash: "hex HMAC-SHA256 of userId under the site's identity secret",
      itemId: "the item on screen",
      slot: "the slot whose defaults apply",
      exclude: "comma-separated item ids never to return",
      includeCategories: "comma-separated: only items in one of these categories",
      excludeCategories: "comma-separated: no item in any of these categories",
      excludePurchased: "drop items the visitor bought (default true)",
      excludeViewed: "drop items the visitor viewed (default false)",
      includeViewed: "keep items this session already saw (default false)",
      boost: "comma-separated item ids whose score is raised",
      pin: "comma-separated item ids placed first, in order, when eligible",
      maxPerCategory: "at most this many items of one category",
      diversity: "MMR lambda: 1 = pure relevance, 0 = pure diversity",
    },
    answers: { 200: { description: "the list", schema: r.recommendationsAnswerSchema } },
    errors: [400],
  },

  // Users and data-subject rights
  {
    method: "get",
    path: "/v1/users/:id",
    tag: "privacy",
    summary: "A visitor profile",
    description: "Public key: `id` is the caller's own anonymous id, or a user id with its `userHash` (public view, no profileId). Server key: a user id or anonymous id (full view).",
    access: "key",
    query: profileQuerySchema,
    queryDocs: { userHash: "the user's identity proof: makes `id` a user id a browser may read" },
    answers: { 200: { description: "the profile (server key: with profileId)", schema: r.profileAnswerSchema } },
    errors: [400, 404],
  },
  {
    method: "delete",
    path: "/v1/users/:id",
    tag: "privacy",
    summary: "Erase a user id or anonymous id and every id linked to it",
    access: "server",
    answers: { 200: { description: "done (a repeat answers the same receipt)", schema: r.erasureReceiptSchema }, 202: { description: "running: follow statusUrl", schema: r.erasureReceiptSchema } },
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/v1/users/:id/export",
    tag: "privacy",
    summary: "Data export of a user id or anonymous id",
    access: "server",
    query: exportQuerySchema,
    queryDocs: { cursor: "nextCursor of the previous page" },
    answers: { 200: { description: "one page of the export (events oldest first, 1,000 per page)", schema: r.exportDocumentSchema } },
    errors: [400, 404],
  },
  {
    method: "post",
    path: "/v1/users/me/export",
    tag: "privacy",
    summary: "The visitor's own export",
    access: "key",
    body: { schema: selfExportBodySchema, contentTypes: BEACON },
    answers: { 200: { description: "one page of the export, limited to the caller's anonymous id", schema: r.exportDocumentSchema } },
    errors: [400, 404, 413, 415],
  },
  {
    method: "post",
    path: "/v1/users/me/forget",
    tag: "privacy",
    summary: "The visitor erases their own anonymous id",
    access: "key",
    body: { schema: forgetBodySchema, contentTypes: BEACON },
    answers: { 200: { description: "done", schema: r.erasureReceiptSchema }, 202: { description: "running: follow statusUrl", schema: r.erasureReceiptSchema } },
    errors: [400, 413, 415],
  },
  {
    method: "get",
    path: "/v1/users/erasures/:jobId",
    tag: "privacy",
    summary: "An erasure job's receipt and status",
    description: "A self-service job needs only the site key; jobs of the site's backend need the server key.",
    access: "key",
    pathParams: { jobId: erasureJobId },
    answers: { 200: { description: "the receipt", schema: r.erasureReceiptSchema } },
    errors: [400, 404],
  },

  // Segment-compatible ingest
  {
    method: "post",
    path: "/v1/batch",
    tag: "segment",
    summary: "Segment-compatible batch ingest",
    description: "A batch in the Segment Spec, as analytics-node, rudder-sdk-node and analytics.js send it; mapped into the same path as /v1/events. 500 KB and 500 messages at most (413).",
    access: "segment",
    body: { schema: segmentBatchBody, contentTypes: JSON_ONLY, description: "any content type is read as JSON; Content-Encoding: gzip accepted" },
    answers: { 200: { description: "accepted (or rejected per message, with the field named)", schema: r.segmentResultSchema } },
    errors: segmentErrors,
  },
  {
    method: "post",
    path: "/v1/b",
    tag: "segment",
    summary: "analytics.js short form of /v1/batch",
    access: "segment",
    body: { schema: segmentBatchBody, contentTypes: JSON_ONLY, description: "any content type is read as JSON; Content-Encoding: gzip accepted" },
    answers: { 200: { description: "as /v1/batch", schema: r.segmentResultSchema } },
    errors: segmentErrors,
  },
  ...SEGMENT_CALLS.flatMap((call) => [segmentSingle(call, `/v1/${call}`, false), segmentSingle(call, `/v1/${call[0]}`, true)]),

  // Admin
  { method: "get", path: "/admin/sites", tag: "admin", summary: "List sites (key hints only, never a key)", access: "admin", answers: { 200: { description: "the sites", schema: r.siteListSchema } }, errors: [] },
  { method: "get", path: "/admin/sites/:id", tag: "admin", summary: "One site", access: "admin", pathParams: { id: siteIdString }, answers: { 200: { description: "the site", schema: r.siteViewSchema } }, errors: [400, 404] },
  {
    method: "put",
    path: "/admin/sites/:id",
    tag: "admin",
    summary: "Create or update a site",
    description: "Missing credentials of a new site are generated and shown once in `newKeys`. 409 write_key_taken / server_key_taken / identity_secret_taken.",
    access: "admin",
    pathParams: { id: siteIdString },
    body: { schema: siteUpsertSchema, contentTypes: JSON_ONLY },
    answers: { 200: { description: "updated", schema: r.siteViewSchema }, 201: { description: "created", schema: r.siteViewSchema } },
    errors: [400, 409, 413, 415],
  },
  {
    method: "post",
    path: "/admin/sites/:id/keys/rotate",
    tag: "admin",
    summary: "Rotate one kind of credential",
    description: "The new credential is shown once; the replaced ones keep working until previousValidUntil.",
    access: "admin",
    pathParams: { id: siteIdString },
    body: { schema: keyRotateSchema, contentTypes: JSON_ONLY },
    answers: { 201: { description: "rotated", schema: r.keyRotateAnswerSchema } },
    errors: [400, 404, 413, 415],
  },
  {
    method: "put",
    path: "/admin/sites/:id/config",
    tag: "admin",
    summary: "Per-slot defaults, blend weights, uncatalogued items",
    access: "admin",
    pathParams: { id: siteIdString },
    body: { schema: siteConfigSchema, contentTypes: JSON_ONLY },
    answers: { 200: { description: "the site with its new config", schema: r.siteViewSchema } },
    errors: [400, 404, 413, 415],
  },
  { method: "get", path: "/admin/models", tag: "admin", summary: "Model versions, the served one, the canary and the decision history", access: "admin", query: siteQuery, answers: { 200: { description: "the versions", schema: r.modelsAnswerSchema } }, errors: [400, 404] },
  {
    method: "post",
    path: "/admin/retrain",
    tag: "admin",
    summary: "Train now (one site, or all without `site`)",
    access: "admin",
    query: retrainQuery,
    queryDocs: { site: "the site (all sites when omitted)", scratch: "true: recount the raw log instead of resuming from the snapshot" },
    answers: { 200: { description: "all sites' results", schema: r.retrainAllSchema }, 201: { description: "the site's new version", schema: r.trainResultSchema } },
    errors: [400, 404, 409],
  },
  {
    method: "post",
    path: "/admin/models/rollback",
    tag: "admin",
    summary: "Roll back (same as POST /admin/models/{site}/rollback)",
    access: "admin",
    query: siteQuery,
    answers: { 200: { description: "the manifest after the rollback and its recorded decision", schema: r.rollbackAnswerSchema } },
    errors: [400, 404, 409],
  },
  {
    method: "post",
    path: "/admin/models/:site/rollback",
    tag: "admin",
    summary: "Roll back the pending canary, else serve the kept version before the current one",
    description: "Recorded in the decision history (trigger manual). 409 no_previous_version, retrain_running.",
    access: "admin",
    pathParams: { site: modelSiteParam },
    answers: { 200: { description: "the manifest after the rollback and its recorded decision", schema: r.rollbackAnswerSchema } },
    errors: [400, 404, 409],
  },
  {
    method: "post",
    path: "/admin/models/:site/canary",
    tag: "admin",
    summary: "Publish a canary model version for a share of visitors",
    description:
      "`version`: a kept version; else `build`: `retrain` (default) trains now, `random` (simulation and tests only) copies the served version with random lists. `share` defaults to the site's canary policy's. 409 no_model, canary_pending, version_is_current, retrain_running.",
    access: "admin",
    pathParams: { site: modelSiteParam },
    body: { schema: canaryBodySchema, contentTypes: JSON_ONLY },
    answers: { 201: { description: "the models view with the new canary", schema: r.modelsAnswerSchema } },
    errors: [400, 404, 409, 413, 415],
  },
  {
    method: "post",
    path: "/admin/models/:site/canary/evaluate",
    tag: "admin",
    summary: "Run the canary guardrail now",
    description: "Promotes the canary, rolls it back, or waits (decision none, not recorded). The 10-minute cron runs the same. 409 no_canary, retrain_running.",
    access: "admin",
    pathParams: { site: modelSiteParam },
    answers: { 200: { description: "the decision and its figures", schema: r.canaryEvaluationSchema } },
    errors: [400, 404, 409],
  },
  { method: "get", path: "/admin/sources", tag: "admin", summary: "The candidate-source registry", access: "admin", query: optionalSiteQuery, queryDocs: { site: "show this site's own weights" }, answers: { 200: { description: "the sources", schema: r.sourcesAnswerSchema } }, errors: [400, 404] },
  {
    method: "get",
    path: "/admin/segments",
    tag: "admin",
    summary: "Visitor segments of the served model",
    description:
      "Every clustering candidate the retrain tried (k-means over a k range, Gaussian mixtures with their BIC, DBSCAN) with silhouette and Davies-Bouldin and the one chosen; the segments with stable ids, sizes, descriptions, distinctive traits, mean behavioural scores and favourite items; the new-visitor segment; a 2-D PCA projection (`projection: {points, centroids, explained}`); which context factors predict a visitor's preferred category (decision-tree importance); and the stability against the previous model.",
    access: "admin",
    query: siteQuery,
    answers: { 200: { description: "the segments", schema: r.segmentsAnswerSchema } },
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/admin/metrics",
    tag: "admin",
    summary: "Recommendation metrics per day, slot, variant and model version (from the rollups)",
    description: "Impressions and clicks by their list's recommendationId; carts and purchases attributed to the visitor's last recommended click on the item within ATTRIBUTION_WINDOW_MS. Counters land on the day the list was served (UTC).",
    access: "admin",
    query: metricsQuery,
    queryDocs: { from: "first day, YYYY-MM-DD (UTC)", to: "last day, inclusive; at most 92 days from `from`", slot: "one slot only" },
    answers: { 200: { description: "the rollup rows", schema: r.metricsAnswerSchema } },
    errors: [400, 404],
  },

  // Experiments (src/routes/admin-experiments.ts)
  { method: "get", path: "/admin/experiments", tag: "admin", summary: "A site's experiments", access: "admin", query: experimentSiteQuery, answers: { 200: { description: "the experiments", schema: r.experimentListSchema } }, errors: [400, 404] },
  { method: "get", path: "/admin/experiments/:id", tag: "admin", summary: "One experiment", access: "admin", pathParams: { id: experimentId }, query: experimentSiteQuery, answers: { 200: { description: "the experiment", schema: r.experimentViewSchema } }, errors: [400, 404] },
  {
    method: "put",
    path: "/admin/experiments/:id",
    tag: "admin",
    summary: "Create or replace a draft experiment",
    description: "Slots, at least two uniquely named variants with traffic weights, and what each changes (blend weights, rules, sources, or `control: true`: trending only). Only drafts are edited (409 otherwise).",
    access: "admin",
    pathParams: { id: experimentId },
    query: experimentSiteQuery,
    body: { schema: experimentConfigSchema, contentTypes: JSON_ONLY },
    answers: { 200: { description: "the draft, replaced", schema: r.experimentViewSchema }, 201: { description: "the draft, created", schema: r.experimentViewSchema } },
    errors: [400, 404, 409, 413, 415],
  },
  {
    method: "get",
    path: "/admin/experiments/:id/results",
    tag: "admin",
    summary: "An experiment's results: rates with 95% intervals, each treatment against the control, SRM check",
    description:
      "From the rollups (one query). CTR and conversion per impression with Wilson intervals, revenue per impression with a normal interval; differences by the two-proportion z-test (Welch for revenue), Bonferroni over treatments; SRM: chi-square of distinct visitors against the weights, flagged below p 0.001. No winner before EXPERIMENT_MIN_IMPRESSIONS_PER_VARIANT impressions in every variant.",
    access: "admin",
    pathParams: { id: experimentId },
    query: experimentResultsQuery,
    queryDocs: { slot: "one of the experiment's slots only" },
    answers: { 200: { description: "the results", schema: r.experimentResultsSchema } },
    errors: [400, 404],
  },
  { method: "post", path: "/admin/experiments/:id/start", tag: "admin", summary: "Start a draft experiment", access: "admin", pathParams: { id: experimentId }, query: experimentSiteQuery, answers: { 200: { description: "the running experiment", schema: r.experimentViewSchema } }, errors: [400, 404, 409] },
  { method: "post", path: "/admin/experiments/:id/stop", tag: "admin", summary: "Stop a running experiment", access: "admin", pathParams: { id: experimentId }, query: experimentSiteQuery, answers: { 200: { description: "the stopped experiment", schema: r.experimentViewSchema } }, errors: [400, 404, 409] },
  {
    method: "post",
    path: "/admin/experiments/:id/winner",
    tag: "admin",
    summary: "Declare a winner: stop and write its weights and rules into the site config",
    description: "Weights merge over the site's weights, rules over each covered slot's rules; `sources` and `control` have no site-config setting and are listed in `notApplied`.",
    access: "admin",
    pathParams: { id: experimentId },
    query: experimentSiteQuery,
    body: { schema: winnerBodySchema, contentTypes: JSON_ONLY },
    answers: { 200: { description: "the experiment and the written config", schema: r.winnerAnswerSchema } },
    errors: [400, 404, 409, 413, 415],
  },

  // The embed snippet and the demo shop
  { method: "get", path: "/sdk.js", tag: "snippet", summary: "The embed snippet (short-lived cache)", access: "none", answers: { 200: { description: "JavaScript (strong ETag: the bundle's version; If-None-Match answers 304 with no body)", contentType: JS } }, errors: [] },
  { method: "get", path: "/sdk/:file", tag: "snippet", summary: "The snippet at its immutable versioned URL (`<version>.js`)", access: "none", pathParams: { file: z.string() }, answers: { 200: { description: "JavaScript", contentType: JS } }, errors: [404] },
  { method: "get", path: "/demo", tag: "demo", summary: "The demo shop's home page", access: "none", answers: { 200: { description: "HTML", contentType: "text/html" } }, errors: [] },
  { method: "get", path: "/demo/demo.js", tag: "demo", summary: "The demo's page script", access: "none", answers: { 200: { description: "JavaScript", contentType: JS } }, errors: [] },
  { method: "get", path: "/demo/demo.css", tag: "demo", summary: "The demo's stylesheet", access: "none", answers: { 200: { description: "CSS", contentType: "text/css" } }, errors: [] },
  { method: "get", path: "/demo/p/:id", tag: "demo", summary: "A demo product page", access: "none", answers: { 200: { description: "HTML", contentType: "text/html" } }, errors: [400, 404] },
  { method: "get", path: "/demo/img/:file", tag: "demo", summary: "A demo product image (`<item id>.svg`)", access: "none", pathParams: { file: z.string() }, answers: { 200: { description: "SVG", contentType: "image/svg+xml" } }, errors: [] },

  // The operator dashboard (HTML; src/dashboard/). Its refusals are HTML pages too, listed as answers.
  ...dashboardRoutes(),
];

/** The dashboard's pages and form endpoints: every answer is HTML or a 303 (Post/Redirect/Get). */
function dashboardRoutes(): RouteSpec[] {
  const HTML = "text/html";
  const page = (path: string, summary: string): RouteSpec => ({
    method: "get",
    path,
    tag: "dashboard",
    summary,
    access: "dashboard",
    query: dashboardPageQuery,
    queryDocs: { site: "the site shown (default: the first site)", notice: "the notice of the action just done" },
    answers: {
      200: { description: "the page", contentType: HTML },
      303: { description: "no valid session: to /admin/ui/sign-in", contentType: HTML },
      400: { description: "an unknown or invalid query parameter, named on the page", contentType: HTML },
      404: { description: "no such site", contentType: HTML },
    },
    errors: [],
  });
  const form = (path: string, summary: string, body?: z.ZodType, ok: Record<number, AnswerSpec> = { 303: { description: "done: back to the page with a notice", contentType: HTML } }): RouteSpec => ({
    method: "post",
    path,
    tag: "dashboard",
    summary,
    access: "dashboard",
    ...(body ? { body: { schema: body, contentTypes: FORM } } : {}),
    answers: {
      ...ok,
      400: { description: "invalid form or parameter (the JSON API's message)", contentType: HTML },
      403: { description: "the Origin is not this Worker's (CSRF guard)", contentType: HTML },
      404: { description: "no such site or experiment", contentType: HTML },
      409: { description: "refused in the current state (the JSON API's 409)", contentType: HTML },
    },
    errors: [],
  });
  return [
    { method: "get", path: "/admin/ui/dashboard.css", tag: "dashboard", summary: "The dashboard's stylesheet", access: "none", answers: { 200: { description: "CSS", contentType: "text/css" } }, errors: [] },
    { method: "get", path: "/admin/ui/sign-in", tag: "dashboard", summary: "The sign-in form (a signed-in visitor is sent to /admin)", access: "none", answers: { 200: { description: "the form", contentType: HTML }, 303: { description: "already signed in", contentType: HTML } }, errors: [] },
    {
      method: "post",
      path: "/admin/ui/sign-in",
      tag: "dashboard",
      summary: "Sign in with the admin token: sets the HttpOnly, SameSite=Strict session cookie",
      access: "none",
      body: { schema: signInForm, contentTypes: FORM },
      answers: {
        303: { description: "signed in: to /admin, with Set-Cookie", contentType: HTML },
        400: { description: "no token", contentType: HTML },
        401: { description: "not the admin token", contentType: HTML },
        403: { description: "the Origin is not this Worker's", contentType: HTML },
        429: { description: "too many attempts from this client", contentType: HTML },
      },
      errors: [],
    },
    { method: "post", path: "/admin/ui/sign-out", tag: "dashboard", summary: "Sign out: clears the session cookie", access: "none", answers: { 303: { description: "to the sign-in form", contentType: HTML }, 403: { description: "the Origin is not this Worker's", contentType: HTML } }, errors: [] },
    page("/admin", "Overview: events and sessions per hour and per day"),
    page("/admin/ui/slots", "Slots: CTR and conversion per day per variant with 95% bands"),
    page("/admin/ui/experiments", "Experiments: status, results per variant, start / stop / promote"),
    form("/admin/ui/experiments/:id/start", "Start a draft experiment (runs POST /admin/experiments/:id/start)"),
    form("/admin/ui/experiments/:id/stop", "Stop a running experiment (runs POST /admin/experiments/:id/stop)"),
    form("/admin/ui/experiments/:id/winner", "Promote a variant (runs POST /admin/experiments/:id/winner)", winnerForm),
    page("/admin/ui/models", "Models: versions with their state and offline metrics, the canary with the guardrail's reading, decision history"),
    form("/admin/ui/models/rollback", "Roll back the pending canary, else the served version (runs POST /admin/models/:site/rollback)"),
    form("/admin/ui/models/canary", "Retrain and publish the new version as a canary to `share` percent of visitors (runs POST /admin/models/:site/canary)", canaryForm),
    form("/admin/ui/models/canary/evaluate", "Run the canary guardrail now (runs POST /admin/models/:site/canary/evaluate)"),
    page("/admin/ui/segments", "Segments: sizes, descriptions, 2-D projection"),
    page("/admin/ui/sites", "Sites and keys (key prefixes only)"),
    form("/admin/ui/sites/:id/keys/rotate", "Rotate a credential (runs POST /admin/sites/:id/keys/rotate)", rotateForm, { 200: { description: "the sites page showing the new credential once", contentType: HTML } }),
  ];
}

/** Path parameters default to an opaque id. */
export const DEFAULT_PATH_PARAM = idString;
