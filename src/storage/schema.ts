// D1 tables (drizzle). Every table holding site data carries site_id first in its primary key.
// drizzle-kit turns this file into migrations/NNNN_*.sql; merged migrations are never edited.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const sites = sqliteTable("sites", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  writeKey: text("write_key").notNull().unique(),
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
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
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
    nView: integer("n_view").notNull().default(0),
    nClick: integer("n_click").notNull().default(0),
    nAddToCart: integer("n_add_to_cart").notNull().default(0),
    nPurchase: integer("n_purchase").notNull().default(0),
    nLike: integer("n_like").notNull().default(0),
    nShare: integer("n_share").notNull().default(0),
    nDwell: integer("n_dwell").notNull().default(0),
    nImpression: integer("n_impression").notNull().default(0),
    nSearch: integer("n_search").notNull().default(0),
    nIdentify: integer("n_identify").notNull().default(0),
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

export type SiteRow = typeof sites.$inferSelect;
export type ItemRow = typeof items.$inferSelect;
export type ProfileRow = typeof profiles.$inferSelect;

/**
 * Session-model statistic increments flushed by SessionDOs (online learning between retrains), one row per flush:
 * `body` is a JSON array of [kind, a, b, bucket, w] tuples (storage/deltas-repo.ts), because one row per increment
 * would multiply D1 writes by a dozen per event. Append-only: the retrain merges rows above its watermark into the
 * last statistics snapshot, then deletes what it consumed. `flush_id` is unique, so a retried flush (alarms are
 * at-least-once) inserts nothing. `bucket` (hour of each counted step) lets a from-scratch rebuild skip what it
 * already counted from the raw log.
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
  },
  (t) => [primaryKey({ columns: [t.siteId, t.anonymousId] })],
);
