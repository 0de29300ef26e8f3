// D1 tables (drizzle). Every table holding site data carries site_id first in its primary key.
// drizzle-kit turns this file into migrations/NNNN_*.sql; merged migrations are never edited.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { COUNTER_COLUMNS, type CounterColumn } from "../schemas/event-types";

export const sites = sqliteTable("sites", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /**
   * "required": a userId from the public write key is trusted only with a valid identity proof (HMAC of the user
   * id under the site's identity secret); "off": trusted as sent (unsafe, documented). Server keys are always trusted.
   */
  identityVerification: text("identity_verification", { enum: ["required", "off"] }).notNull().default("required"),
  /** JSON array of origins, or ["*"]. */
  allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  /** Per-slot defaults and blend weights (schemas/site-config.ts), validated on write. */
  config: text("config", { mode: "json" }).$type<import("../schemas/site-config").SiteConfig>().notNull().default(sql`'{"slots":{}}'`),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export const items = sqliteTable(
  "items",
  {
    siteId: text("site_id").notNull(),
    id: text("id").notNull(),
    title: text("title"),
    url: text("url"),
    image: text("image"),
    categories: text("categories", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, unknown>>(),
    available: integer("available", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] })],
);

/**
 * The raw event log (retention window, see EVENT_RETENTION_DAYS). `ingest_id` is set only while the batch that
 * inserted the row is being aggregated, so the partial index on it stays tiny; it is how one D1 transaction knows
 * which rows it really inserted (ON CONFLICT DO NOTHING skips retried ones).
 */
export const events = sqliteTable(
  "events",
  {
    siteId: text("site_id").notNull(),
    id: text("id").notNull(),
    type: text("type").notNull(),
    anonymousId: text("anonymous_id").notNull(),
    userId: text("user_id"),
    sessionId: text("session_id").notNull(),
    itemId: text("item_id"),
    profileId: text("profile_id").notNull(),
    ts: integer("ts").notNull(),
    receivedAt: integer("received_at").notNull(),
    context: text("context", { mode: "json" }).$type<Record<string, unknown>>(),
    properties: text("properties", { mode: "json" }).$type<Record<string, unknown>>(),
    ingestId: text("ingest_id"),
    /**
     * The ingest queue message that inserted the row (the insert's ON CONFLICT decides which one, once): the row is
     * archived to R2 in that message's object, so a redelivery rewrites the same object and the archive holds each
     * event once (src/storage/event-archive.ts). Null for rows stored before the archive existed.
     */
    archiveKey: text("archive_key"),
    /**
     * Impressions and clicks of a served list: its exposure token (context.recommendationId) and what it decodes to
     * (src/recommend/exposure.ts), written by ingest so the rollups and attribution read columns, not tokens.
     * Null for every other event and for ids that are not exposure tokens (old UUIDs, foreign ids).
     */
    recId: text("rec_id"),
    recSlot: text("rec_slot"),
    recVariant: text("rec_variant"),
    recModel: text("rec_model"),
    /** The UTC day (YYYY-MM-DD) the list was served on. */
    recDay: text("rec_day"),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    // Attribution's last-touch lookup: a visitor's latest recommended click on an item.
    index("events_rec_click").on(t.siteId, t.profileId, t.itemId, t.ts).where(sql`type = 'click' AND rec_id IS NOT NULL`),
    // Whether a list already had an impression or a click (lists served, clicked lists).
    index("events_rec_list").on(t.siteId, t.recId, t.type).where(sql`rec_id IS NOT NULL`),
    // A visitor's first impression in a variant (rec_rollups.visitors, the experiment results' SRM count).
    index("events_rec_visitor").on(t.siteId, t.profileId, t.recVariant).where(sql`type = 'impression' AND rec_id IS NOT NULL`),
    index("events_site_ts").on(t.siteId, t.ts),
    index("events_site_session_ts").on(t.siteId, t.sessionId, t.ts),
    index("events_site_profile_ts").on(t.siteId, t.profileId, t.ts),
    index("events_ingest").on(t.ingestId).where(sql`ingest_id IS NOT NULL`),
  ],
);

/** Maps an anonymous id or a user id to the profile it belongs to; identify re-points anonymous ids. */
export const identities = sqliteTable(
  "identities",
  {
    siteId: text("site_id").notNull(),
    kind: text("kind", { enum: ["anon", "user"] }).notNull(),
    externalId: text("external_id").notNull(),
    profileId: text("profile_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.kind, t.externalId] }), index("identities_profile").on(t.siteId, t.profileId)],
);

const counterColumn = () => integer().notNull().default(0);
/**
 * One `n_<type>` counter per event type, from the event-type table (a new type needs only its migration). The
 * keys are the column names (drizzle names an unnamed column after its key). The cast: Object.fromEntries cannot
 * type its keys, and COUNTER_COLUMNS lists every counter by construction.
 */
function counterColumns(): Record<CounterColumn, ReturnType<typeof counterColumn>> {
  return Object.fromEntries(COUNTER_COLUMNS.map(([, col]) => [col, counterColumn()])) as Record<CounterColumn, ReturnType<typeof counterColumn>>;
}

/** Per-visitor counters, updated by SQL increments so concurrent batches never lose counts. */
export const profiles = sqliteTable(
  "profiles",
  {
    siteId: text("site_id").notNull(),
    id: text("id").notNull(),
    userId: text("user_id"),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    eventCount: integer("event_count").notNull().default(0),
    ...counterColumns(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] })],
);

/** A visitor's history per item: outlives the raw event log, feeds "recent items" and purchase exclusion. */
export const profileItems = sqliteTable(
  "profile_items",
  {
    siteId: text("site_id").notNull(),
    profileId: text("profile_id").notNull(),
    itemId: text("item_id").notNull(),
    firstTs: integer("first_ts").notNull(),
    lastTs: integer("last_ts").notNull(),
    interactions: integer("interactions").notNull().default(0),
    carts: integer("carts").notNull().default(0),
    purchases: integer("purchases").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.profileId, t.itemId] }),
    index("profile_items_recent").on(t.siteId, t.profileId, t.lastTs),
  ],
);

/**
 * A site's credentials. `write` (pk_…, public, in page source) and `server` (sk_…, the site's backend) keys are
 * stored only as a SHA-256 hash; `identity` secrets (is_…) sign user ids, so the Worker must keep them readable in
 * `secret` (like Intercom's identity-verification secret). Rotation adds a new row and gives the old one an
 * `expires_at` (the overlap period); a row past its expiry no longer authenticates anything.
 */
export const siteKeys = sqliteTable(
  "site_keys",
  {
    siteId: text("site_id").notNull(),
    id: text("id").notNull(),
    kind: text("kind", { enum: ["write", "server", "identity"] }).notNull(),
    keyHash: text("key_hash").notNull(),
    /** Only for kind "identity": the HMAC secret itself. */
    secret: text("secret"),
    /** The first characters of the key, to tell keys apart in listings without revealing them. */
    hint: text("hint").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] }), uniqueIndex("site_keys_hash").on(t.keyHash)],
);

export type SiteRow = typeof sites.$inferSelect;
export type ItemRow = typeof items.$inferSelect;
export type ProfileRow = typeof profiles.$inferSelect;

/**
 * Live session steps flushed by SessionDOs (online learning between retrains), one row per flush: `body` holds the
 * steps and the path before them, which the retrain counts into statistic increments (models/flush-body.ts; older
 * bodies are the counted [kind, a, b, bucket, w] tuples themselves), and `rows` their count. Append-only: the
 * retrain merges rows above its watermark into the last statistics snapshot, then deletes what it consumed. `flush_id` is unique, so a retried flush (alarms are
 * at-least-once) inserts nothing. Each step's hour (its increments' `bucket`) lets a from-scratch rebuild skip
 * what it already counted from the raw log.
 */
export const modelDeltas = sqliteTable(
  "model_deltas",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteId: text("site_id").notNull(),
    flushId: text("flush_id").notNull(),
    body: text("body").notNull(),
    rows: integer("rows").notNull(),
  },
  (t) => [uniqueIndex("model_deltas_flush").on(t.siteId, t.flushId), index("model_deltas_site_id").on(t.siteId, t.id)],
);

/** Leases that keep two runs of the same job (cron and an admin "retrain now") from overlapping. */
export const jobLeases = sqliteTable("job_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/**
 * A visitor's consent choice, keyed by anonymous id (a banner can be answered before any event). Declined analytics
 * means no event of this visitor is stored (D1 or session); declined personalization means non-personal lists only.
 */
export const consents = sqliteTable(
  "consents",
  {
    siteId: text("site_id").notNull(),
    anonymousId: text("anonymous_id").notNull(),
    userId: text("user_id"),
    analytics: integer("analytics", { mode: "boolean" }).notNull(),
    personalization: integer("personalization", { mode: "boolean" }).notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Who recorded the current choice: "browser" (public write key) or "server" (server key / admin). */
    source: text("source", { enum: ["browser", "server"] }).notNull().default("browser"),
    /** SHA-256 of the receipt handed out with the current choice; the browser must show it to change the choice. */
    receiptHash: text("receipt_hash"),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.anonymousId] })],
);

/** Every consent change ever recorded (audit trail); `consents` holds only the current choice. */
export const consentHistory = sqliteTable(
  "consent_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteId: text("site_id").notNull(),
    anonymousId: text("anonymous_id").notNull(),
    userId: text("user_id"),
    analytics: integer("analytics", { mode: "boolean" }).notNull(),
    personalization: integer("personalization", { mode: "boolean" }).notNull(),
    /** The time the visitor chose (client clock, capped at the server's). */
    ts: integer("ts").notNull(),
    recordedAt: integer("recorded_at").notNull(),
    source: text("source", { enum: ["browser", "server"] }).notNull(),
    /** False when a newer choice was already stored: kept for the audit, not applied. */
    applied: integer("applied", { mode: "boolean" }).notNull(),
  },
  (t) => [index("consent_history_visitor").on(t.siteId, t.anonymousId, t.id)],
);

/**
 * Erased visitors (Segment's suppress-and-delete): later events naming a suppressed anonymous or user id are
 * dropped at ingest. Only a salted SHA-256 of the id is kept, never the id itself.
 */
export const suppressions = sqliteTable(
  "suppressions",
  {
    siteId: text("site_id").notNull(),
    kind: text("kind", { enum: ["anon", "user"] }).notNull(),
    idHash: text("id_hash").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.kind, t.idHash] })],
);

/**
 * Erasure jobs: one per erased subject (keyed by the subject's hash, so a repeated request finds the same job).
 * A large history is erased in bounded steps; `state` holds what is left to do, `receipt` what was removed so far.
 */
export const erasures = sqliteTable(
  "erasures",
  {
    id: text("id").primaryKey(),
    siteId: text("site_id").notNull(),
    subjectHash: text("subject_hash").notNull(),
    status: text("status", { enum: ["running", "done"] }).notNull(),
    state: text("state", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    receipt: text("receipt", { mode: "json" }).$type<Record<string, number>>().notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("erasures_subject").on(t.siteId, t.subjectHash), index("erasures_status").on(t.status, t.updatedAt)],
);

/**
 * Server-derived sessions of Segment/RudderStack traffic (ingest/segment-sessions.ts), which sends no session id:
 * the current session of each anonymous id and when it was last active. One upsert per batch decides, inside D1's
 * single writer, whether an event continues the session or starts a new one after SESSION_IDLE_MINUTES idle.
 * Rows idle longer than that are dead (the retention cron deletes them); erasure deletes a visitor's row.
 */
export const derivedSessions = sqliteTable(
  "derived_sessions",
  {
    siteId: text("site_id").notNull(),
    anonymousId: text("anonymous_id").notNull(),
    sessionId: text("session_id").notNull(),
    lastSeen: integer("last_seen").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.anonymousId] }), index("derived_sessions_last_seen").on(t.lastSeen)],
);

/**
 * Recommendation rollups (issue 10): counters per (site, served day, slot, variant, model version), bumped by ingest
 * in the events' own transaction from the rows it really inserted, so reports never scan the event log. Counters of
 * a list land on the day it was served, including carts and purchases attributed to it later. `model_version` is ''
 * for lists served without a model; `variant` is "none" outside experiments.
 */
export const recRollups = sqliteTable(
  "rec_rollups",
  {
    siteId: text("site_id").notNull(),
    day: text("day").notNull(),
    slot: text("slot").notNull(),
    variant: text("variant").notNull(),
    modelVersion: text("model_version").notNull(),
    /** Distinct lists with at least one impression (lists are counted when seen, not when served: no read-path write). */
    listsServed: integer("lists_served").notNull().default(0),
    impressions: integer("impressions").notNull().default(0),
    /** Distinct lists with at least one click (an approximation of "impressions of a clicked list"). */
    clickedImpressions: integer("clicked_impressions").notNull().default(0),
    clicks: integer("clicks").notNull().default(0),
    carts: integer("carts").notNull().default(0),
    purchases: integer("purchases").notNull().default(0),
    revenue: real("revenue").notNull().default(0),
    /**
     * Distinct visitors (profiles) whose first impression in this variant is in this row: summed over rows, a
     * variant's distinct visitors (the experiment results' sample-ratio check).
     */
    visitors: integer("visitors").notNull().default(0),
    /** Sum of each attributed purchase's revenue squared: the variance of revenue per impression (experiment results). */
    revenueSq: real("revenue_sq").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.slot, t.variant, t.modelVersion] })],
);
export type RecRollupRow = typeof recRollups.$inferSelect;

/**
 * A/B experiments (issue 10 part 3): `config` is the validated PUT body (schemas/experiments.ts); `status` moves
 * draft → running → stopped; `winner` is the declared variant's name.
 */
export const experiments = sqliteTable(
  "experiments",
  {
    siteId: text("site_id").notNull(),
    id: text("id").notNull(),
    config: text("config", { mode: "json" }).$type<import("../schemas/experiments").ExperimentConfig>().notNull(),
    status: text("status", { enum: ["draft", "running", "stopped"] }).notNull().default("draft"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    stoppedAt: integer("stopped_at", { mode: "timestamp_ms" }),
    winner: text("winner"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] }), index("experiments_running").on(t.siteId, t.status)],
);
export type ExperimentRow = typeof experiments.$inferSelect;

/**
 * Hourly traffic (issue 10 part 6, the dashboard's overview): per (site, UTC hour of the event's `ts`) the events
 * stored, the distinct sessions with an event in that hour, and the sessions started (a session's first stored
 * event falls in that hour). Bumped by ingest in the events' own transaction from the rows it really inserted
 * (storage/traffic-rollups-repo.ts), so the overview never scans the event log. A day's sessions are the sum of
 * `sessions_started` (each session counts once); summing `sessions` over hours counts a session once per hour.
 */
export const trafficRollups = sqliteTable(
  "traffic_rollups",
  {
    siteId: text("site_id").notNull(),
    /** Start of the UTC hour, ms since the epoch. */
    hour: integer("hour").notNull(),
    events: integer("events").notNull().default(0),
    sessions: integer("sessions").notNull().default(0),
    sessionsStarted: integer("sessions_started").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.hour] })],
);

/**
 * Canary decisions (issue 10 part 4): each promotion or rollback of a model version, by the guardrail or an
 * operator, with the figures it was made on (`figures`: the guardrail's counts, CTRs, z, p-value and thresholds).
 */
export const modelDecisions = sqliteTable(
  "model_decisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteId: text("site_id").notNull(),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }).notNull(),
    decision: text("decision", { enum: ["promoted", "rolled_back"] }).notNull(),
    /** The version the decision is about (the canary, or the served version a manual rollback left). */
    version: text("version").notNull(),
    /** The version served beside it when decided (the current one), and the one served after. */
    againstVersion: text("against_version"),
    servedAfter: text("served_after").notNull(),
    rule: text("rule").notNull(),
    trigger: text("trigger", { enum: ["cron", "admin", "manual"] }).notNull(),
    figures: text("figures", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index("model_decisions_site").on(t.siteId, t.decidedAt)],
);
export type ModelDecisionRow = typeof modelDecisions.$inferSelect;
