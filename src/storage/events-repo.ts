// D1 reads and writes for ingest: what the request path checks before enqueueing (consent, erasure; cached), and the queue consumer's transactions (db.batch), each of which inserts new events, links identities, merges
// profiles and bumps counters (profiles and the recommendation rollups), counting only rows that this transaction
// really inserted.
//
// Plain D1 statements rather than drizzle's builder: the json_each bulk forms below are not expressible in it.
import { ARCHIVE_OBJECT_MAX_EVENTS, D1_JSON_CHUNK_BYTES } from "../config/limits";
import type { IdentityWrite, KnownIdentities, ProfileMerge } from "../ingest/resolve-identities";
import { jsonChunks } from "../lib/json-chunks";
import type { IngestEvent } from "../schemas/events";
import type { QueuedEvent } from "../schemas/ingest-queue";
import { COUNTER_COLUMNS, PATH_TYPES_SQL, type EventType } from "../schemas/event-types";
import { decodeExposure, exposureDay } from "../recommend/exposure";
import { cachedConsents, consentFlagsStatement } from "./consent-repo";
import { cachedSuppressions, suppressedStatement, suppressionHash } from "./erasure-repo";
import type { ArchivedEvent } from "./event-archive";
import { rollupStatement } from "./rollups-repo";
import { trafficRollupStatements } from "./traffic-rollups-repo";

/**
 * An event as the consumer writes it: its profile resolved, when its request was received, and the archive object it
 * goes to (archive_key: the consumer transaction whose insert wins the event's id archives it, see event-archive.ts).
 */
export type StoredEvent = QueuedEvent & { profileId: string; receivedAt: number; archiveKey: string };

/** Types whose recommendationId is an exposure of its own list; carts and purchases are attributed via clicks. */
const EXPOSURE_TYPES: ReadonlySet<EventType> = new Set(["impression", "click"] satisfies EventType[]);

type Exposure = { recId: string | null; recSlot: string | null; recVariant: string | null; recModel: string | null; recDay: string | null };

/** The rec_* columns of an event: what its list's exposure token decodes to, or nulls. */
function exposureColumns(e: QueuedEvent): Exposure {
  const id = e.context?.recommendationId;
  const x = id !== undefined && EXPOSURE_TYPES.has(e.type) ? decodeExposure(id) : null;
  if (!x) return { recId: null, recSlot: null, recVariant: null, recModel: null, recDay: null };
  // '' for "no model": rollup keys are NOT NULL.
  return { recId: id!, recSlot: x.slot, recVariant: x.variant, recModel: x.modelVersion ?? "", recDay: exposureDay(x) };
}

/**
 * The columns an ingest transaction writes from each event, and where each value comes from. A row goes to D1 as
 * a JSON array in this order, not an object: a 2,000-row chunk then does not repeat every key, so the D1 client's
 * JSON of it (a synchronous stretch in the consumer's isolate) is much smaller.
 */
const INSERTED_COLUMNS: readonly (readonly [column: string, value: (e: StoredEvent, x: Exposure) => unknown])[] = [
  ["id", (e) => e.id],
  ["type", (e) => e.type],
  ["anonymous_id", (e) => e.anonymousId],
  ["user_id", (e) => e.userId ?? null],
  ["session_id", (e) => e.sessionId],
  ["item_id", (e) => e.itemId ?? null],
  ["profile_id", (e) => e.profileId],
  ["ts", (e) => e.ts],
  ["received_at", (e) => e.receivedAt],
  ["context", (e) => e.context ?? null],
  ["properties", (e) => e.properties ?? null],
  ["rec_id", (_, x) => x.recId],
  ["rec_slot", (_, x) => x.recSlot],
  ["rec_variant", (_, x) => x.recVariant],
  ["rec_model", (_, x) => x.recModel],
  ["rec_day", (_, x) => x.recDay],
  ["archive_key", (e) => e.archiveKey],
];

const INSERT_EVENTS = `
INSERT INTO events (site_id, ingest_id, ${INSERTED_COLUMNS.map(([c]) => c).join(", ")})
SELECT ?1, ?2, ${INSERTED_COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ")}
FROM json_each(?3) WHERE true
ON CONFLICT(site_id, id) DO NOTHING`;

function insertedRow(e: StoredEvent): unknown[] {
  const x = exposureColumns(e);
  return INSERTED_COLUMNS.map(([, value]) => value(e, x));
}

/**
 * How many rows this transaction inserted (they carry its ingest id until CLEAR_INGEST_ID): one number, where a
 * RETURNING clause answered every inserted id for the D1 client to decode on the consumer's thread. Only a
 * transaction that met duplicates asks which ids were its own (insertedIds).
 */
const COUNT_INSERTED = `SELECT COUNT(*) AS n FROM events WHERE ingest_id = ?1`;

const counterSelect = COUNTER_COLUMNS.map(([type]) => `SUM(type = '${type}')`).join(", ");
const counterNames = COUNTER_COLUMNS.map(([, col]) => col).join(", ");
const counterAdd = COUNTER_COLUMNS.map(([, col]) => `${col} = profiles.${col} + excluded.${col}`).join(", ");

const PROFILE_UPSERT_TAIL = `
ON CONFLICT(site_id, id) DO UPDATE SET
  user_id = COALESCE(excluded.user_id, profiles.user_id),
  first_seen = MIN(profiles.first_seen, excluded.first_seen),
  last_seen = MAX(profiles.last_seen, excluded.last_seen),
  event_count = profiles.event_count + excluded.event_count,
  ${counterAdd}`;

const AGGREGATE_PROFILES = `
INSERT INTO profiles (site_id, id, user_id, first_seen, last_seen, event_count, ${counterNames})
SELECT site_id, profile_id, MAX(user_id), MIN(ts), MAX(ts), COUNT(*), ${counterSelect}
FROM events WHERE ingest_id = ?1 GROUP BY site_id, profile_id
${PROFILE_UPSERT_TAIL}`;

const ITEM_UPSERT_TAIL = `
ON CONFLICT(site_id, profile_id, item_id) DO UPDATE SET
  first_ts = MIN(profile_items.first_ts, excluded.first_ts),
  last_ts = MAX(profile_items.last_ts, excluded.last_ts),
  interactions = profile_items.interactions + excluded.interactions,
  carts = profile_items.carts + excluded.carts,
  purchases = profile_items.purchases + excluded.purchases`;

// profile_items counts carts and purchases of its own; `satisfies` keeps the literals in step with the type list.
const CART = "add_to_cart" satisfies EventType;
const PURCHASE = "purchase" satisfies EventType;

const AGGREGATE_PROFILE_ITEMS = `
INSERT INTO profile_items (site_id, profile_id, item_id, first_ts, last_ts, interactions, carts, purchases)
SELECT site_id, profile_id, item_id, MIN(ts), MAX(ts), COUNT(*), SUM(type = '${CART}'), SUM(type = '${PURCHASE}')
FROM events WHERE ingest_id = ?1 AND item_id IS NOT NULL AND type IN (${PATH_TYPES_SQL})
GROUP BY site_id, profile_id, item_id
${ITEM_UPSERT_TAIL}`;

const CLEAR_INGEST_ID = `UPDATE events SET ingest_id = NULL WHERE ingest_id = ?1`;

const UPSERT_IDENTITIES = `
INSERT INTO identities (site_id, kind, external_id, profile_id, created_at)
SELECT ?1, json_extract(value, '$.kind'), json_extract(value, '$.externalId'), json_extract(value, '$.profileId'), ?2
FROM json_each(?3) WHERE true
ON CONFLICT(site_id, kind, external_id) DO UPDATE SET profile_id = excluded.profile_id`;

/** Also which user (if any) owns each linked profile: a user's profile is never merged into another user's. */
const SELECT_IDENTITIES = `
SELECT i.kind, i.external_id, i.profile_id, p.user_id AS owner FROM identities i
LEFT JOIN profiles p ON p.site_id = i.site_id AND p.id = i.profile_id
WHERE i.site_id = ?1 AND ((i.kind = 'anon' AND i.external_id IN (SELECT value FROM json_each(?2)))
                       OR (i.kind = 'user' AND i.external_id IN (SELECT value FROM json_each(?3))))`;

/** The consent and erasure facts ingest filters a batch by (loadAdmission, and the consumer's loadIngestContext). */
export type ConsentContext = {
  /** Anonymous ids whose events are stored nowhere: declined analytics, or erased (suppressed). */
  declined: Set<string>;
  /** User ids erased on request: events naming them are stored nowhere either. */
  suppressedUsers: Set<string>;
  /** Anonymous ids that declined personalization: their session objects are told not to personalize. */
  unpersonalized: Set<string>;
};

/** What the request path knows before enqueueing (loadAdmission). */
export type AdmissionContext = ConsentContext;

/** What the queue consumer reads before writing (loadIngestContext). */
export type IngestContext = ConsentContext & { known: KnownIdentities };

type IdSets = { anonIds: string[]; userIds: string[]; hashOf: Map<string, { kind: "anon" | "user"; id: string }> };

async function idSets(siteId: string, events: readonly { anonymousId: string; userId?: string }[]): Promise<IdSets> {
  const anonIds = new Set<string>();
  const userIds = new Set<string>();
  for (const e of events) {
    anonIds.add(e.anonymousId);
    if (e.userId !== undefined) userIds.add(e.userId);
  }
  // Suppressions hold only hashes of the ids, so the batch's ids are hashed to look them up.
  const hashOf = new Map<string, { kind: "anon" | "user"; id: string }>();
  await Promise.all([
    ...[...anonIds].map(async (id) => hashOf.set(await suppressionHash(siteId, "anon", id), { kind: "anon", id })),
    ...[...userIds].map(async (id) => hashOf.set(await suppressionHash(siteId, "user", id), { kind: "user", id })),
  ]);
  return { anonIds: [...anonIds], userIds: [...userIds], hashOf };
}

function consentStatements(d1: D1Database, siteId: string, ids: IdSets): D1PreparedStatement[] {
  return [consentFlagsStatement(d1, siteId, ids.anonIds), suppressedStatement(d1, siteId, [...ids.hashOf.keys()])];
}

function consentContext(ids: IdSets, consentRows: D1Result, suppressedRows: D1Result): ConsentContext {
  const declined = new Set<string>();
  const unpersonalized = new Set<string>();
  for (const r of consentRows.results as { anonymous_id: string; analytics: number; personalization: number }[]) {
    if (r.analytics === 0) declined.add(r.anonymous_id);
    if (r.personalization === 0) unpersonalized.add(r.anonymous_id);
  }
  const suppressedUsers = new Set<string>();
  for (const r of suppressedRows.results as { id_hash: string }[]) {
    const hit = ids.hashOf.get(r.id_hash);
    if (hit?.kind === "anon") declined.add(hit.id);
    else if (hit?.kind === "user") suppressedUsers.add(hit.id);
  }
  return { declined, suppressedUsers, unpersonalized };
}

/**
 * What the request path must know before enqueueing, from this isolate's caches (D1 only for ids not cached): the
 * consent flags of the batch's visitors (consent-repo's cache, which a save in this isolate updates at once) and
 * which of its ids were erased. Stale by at most a minute (consent) or SUPPRESSION_CACHE_MS (erasures) after a
 * change made in another isolate; the consumer reads both from D1 again before writing, so a stale answer here never
 * stores an erased or declined visitor's events, it only lets their session object see them for that long.
 */
export async function loadAdmission(d1: D1Database, siteId: string, events: readonly IngestEvent[]): Promise<AdmissionContext> {
  const ids = await idSets(siteId, events);
  const [consents, suppressed] = await Promise.all([cachedConsents(d1, siteId, ids.anonIds), cachedSuppressions(d1, siteId, [...ids.hashOf.keys()])]);
  const declined = new Set<string>();
  const unpersonalized = new Set<string>();
  for (const [a, c] of consents) {
    if (c && !c.analytics) declined.add(a);
    if (c && !c.personalization) unpersonalized.add(a);
  }
  const suppressedUsers = new Set<string>();
  for (const hash of suppressed) {
    const hit = ids.hashOf.get(hash);
    if (hit?.kind === "anon") declined.add(hit.id);
    else if (hit?.kind === "user") suppressedUsers.add(hit.id);
  }
  return { declined, suppressedUsers, unpersonalized };
}

/**
 * What the consumer must know before writing, in one D1 round trip: the identities already linked for the events'
 * anonymous and user ids, and the consent and erasure facts again (an erasure may have run since the request).
 */
export async function loadIngestContext(d1: D1Database, siteId: string, events: readonly QueuedEvent[]): Promise<IngestContext> {
  const ids = await idSets(siteId, events);
  const [identityRows, consentRows, suppressedRows] = await d1.batch([
    d1.prepare(SELECT_IDENTITIES).bind(siteId, JSON.stringify(ids.anonIds), JSON.stringify(ids.userIds)),
    ...consentStatements(d1, siteId, ids),
  ]);
  const known: KnownIdentities = { anon: new Map(), user: new Map(), owner: new Map() };
  for (const r of identityRows!.results as { kind: "anon" | "user"; external_id: string; profile_id: string; owner: string | null }[]) {
    known[r.kind].set(r.external_id, r.profile_id);
    if (r.owner !== null) known.owner!.set(r.profile_id, r.owner);
  }
  return { known, ...consentContext(ids, consentRows!, suppressedRows!) };
}

function mergeStatements(d1: D1Database, siteId: string, m: ProfileMerge): D1PreparedStatement[] {
  return [
    d1.prepare(`UPDATE identities SET profile_id = ?3 WHERE site_id = ?1 AND profile_id = ?2`).bind(siteId, m.from, m.to),
    d1
      .prepare(
        `INSERT INTO profiles (site_id, id, user_id, first_seen, last_seen, event_count, ${counterNames})
         SELECT site_id, ?3, user_id, first_seen, last_seen, event_count, ${counterNames}
         FROM profiles WHERE site_id = ?1 AND id = ?2 ${PROFILE_UPSERT_TAIL}`,
      )
      .bind(siteId, m.from, m.to),
    d1
      .prepare(
        `INSERT INTO profile_items (site_id, profile_id, item_id, first_ts, last_ts, interactions, carts, purchases)
         SELECT site_id, ?3, item_id, first_ts, last_ts, interactions, carts, purchases
         FROM profile_items WHERE site_id = ?1 AND profile_id = ?2 ${ITEM_UPSERT_TAIL}`,
      )
      .bind(siteId, m.from, m.to),
    d1.prepare(`UPDATE events SET profile_id = ?3 WHERE site_id = ?1 AND profile_id = ?2`).bind(siteId, m.from, m.to),
    d1.prepare(`DELETE FROM profile_items WHERE site_id = ?1 AND profile_id = ?2`).bind(siteId, m.from),
    d1.prepare(`DELETE FROM profiles WHERE site_id = ?1 AND id = ?2`).bind(siteId, m.from),
  ];
}

/**
 * Writes resolved events atomically (D1 runs a batch as one transaction; `now` stamps new identity links) and
 * answers the ids it inserted. Retrying
 * the same events, as a redelivered queue batch does, inserts no event twice and, because counters aggregate only rows tagged with this call's ingest id, counts nothing
 * twice either.
 */
export async function writeIngestBatch(
  d1: D1Database,
  siteId: string,
  events: readonly StoredEvent[],
  identityWrites: readonly IdentityWrite[],
  merges: readonly ProfileMerge[],
  now: number,
): Promise<Set<string>> {
  const ingestId = crypto.randomUUID();
  const statements: D1PreparedStatement[] = [];
  for (const chunk of jsonChunks(identityWrites, D1_JSON_CHUNK_BYTES)) {
    statements.push(d1.prepare(UPSERT_IDENTITIES).bind(siteId, now, chunk));
  }
  for (const m of merges) statements.push(...mergeStatements(d1, siteId, m));
  const rows = events.map(insertedRow);
  for (const chunk of jsonChunks(rows, D1_JSON_CHUNK_BYTES)) statements.push(d1.prepare(INSERT_EVENTS).bind(siteId, ingestId, chunk));
  const counted = statements.length;
  statements.push(d1.prepare(COUNT_INSERTED).bind(ingestId));
  statements.push(d1.prepare(AGGREGATE_PROFILES).bind(ingestId));
  statements.push(d1.prepare(AGGREGATE_PROFILE_ITEMS).bind(ingestId));
  statements.push(rollupStatement(d1, ingestId));
  statements.push(...trafficRollupStatements(d1, ingestId));
  statements.push(d1.prepare(CLEAR_INGEST_ID).bind(ingestId));
  const results = await d1.batch(statements);
  // The ids this transaction inserted: the rows its archive object holds. All of them, unless it met duplicates.
  const inserted = (results[counted]!.results as { n: number }[])[0]!.n;
  if (inserted === events.length) return new Set(events.map((e) => e.id));
  return insertedIds(d1, siteId, events);
}

/**
 * Which of `events` a committed transaction inserted: those stored under their own archive key, which no other
 * transaction uses (by primary key, in chunks; asked only after a transaction that met duplicates).
 */
async function insertedIds(d1: D1Database, siteId: string, events: readonly StoredEvent[]): Promise<Set<string>> {
  const keyOf = new Map(events.map((e) => [e.id, e.archiveKey]));
  const statements = [...jsonChunks([...keyOf.keys()], D1_JSON_CHUNK_BYTES)].map((chunk) =>
    d1.prepare(`SELECT id, archive_key FROM events WHERE site_id = ?1 AND id IN (SELECT value FROM json_each(?2))`).bind(siteId, chunk),
  );
  const out = new Set<string>();
  for (const res of await d1.batch<{ id: string; archive_key: string | null }>(statements)) {
    for (const r of res.results) if (r.archive_key === keyOf.get(r.id)) out.add(r.id);
  }
  return out;
}

type ArchiveRow = {
  id: string;
  type: IngestEvent["type"];
  anonymous_id: string;
  user_id: string | null;
  session_id: string;
  item_id: string | null;
  profile_id: string;
  ts: number;
  received_at: number;
  context: string | null;
  properties: string | null;
  archive_key: string | null;
};

/**
 * For a redelivery: the archive objects holding the stored rows of `ids` (events an earlier attempt, or another
 * message, inserted), each as its archive key and one of its event ids.
 */
export async function archiveObjectsOf(d1: D1Database, siteId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const statements = [...jsonChunks(ids, D1_JSON_CHUNK_BYTES)].map((chunk) =>
    d1
      .prepare(
        `SELECT archive_key, MIN(id) AS id FROM events
         WHERE site_id = ?1 AND id IN (SELECT value FROM json_each(?2)) AND archive_key IS NOT NULL GROUP BY archive_key`,
      )
      .bind(siteId, chunk),
  );
  if (statements.length === 0) return out;
  for (const res of await d1.batch<{ archive_key: string; id: string }>(statements)) for (const r of res.results) out.set(r.archive_key, r.id);
  return out;
}

/**
 * Every stored row of each archive object (archive key -> one of its event ids), as the archive keeps them, in
 * (ts, id) order. One transaction inserted them, and D1's single writer gives one transaction's rows consecutive
 * rowids, so they lie within ARCHIVE_OBJECT_MAX_EVENTS rowids of the one named: a primary-key range, not a scan of the
 * site's events. (A rowid reused after an erasure deleted the newest rows belongs to a later key and is filtered out.)
 */
export async function archiveObjectRows(d1: D1Database, siteId: string, objects: ReadonlyMap<string, string>): Promise<Map<string, ArchivedEvent[]>> {
  const out = new Map<string, ArchivedEvent[]>();
  const keys = [...objects.keys()];
  if (keys.length === 0) return out;
  const near = `(SELECT rowid FROM events WHERE site_id = ?1 AND id = ?3)`;
  const results = await d1.batch<ArchiveRow>(
    keys.map((key) =>
      d1
        .prepare(
          `SELECT id, type, anonymous_id, user_id, session_id, item_id, profile_id, ts, received_at, context, properties, archive_key
           FROM events WHERE rowid BETWEEN ${near} - ?4 AND ${near} + ?4 AND site_id = ?1 AND archive_key = ?2 ORDER BY ts, id`,
        )
        .bind(siteId, key, objects.get(key)!, ARCHIVE_OBJECT_MAX_EVENTS),
    ),
  );
  keys.forEach((key, i) => out.set(key, results[i]!.results.map(archivedOf)));
  return out;
}

/** A D1 row as an archived event: absent optional fields stay absent, so both read paths see the same objects. */
export function archivedOf(r: Omit<ArchiveRow, "archive_key">): ArchivedEvent {
  const e: ArchivedEvent = { id: r.id, type: r.type, anonymousId: r.anonymous_id, sessionId: r.session_id, profileId: r.profile_id, ts: r.ts, receivedAt: r.received_at };
  if (r.user_id !== null) e.userId = r.user_id;
  if (r.item_id !== null) e.itemId = r.item_id;
  // JSON columns written by this module from validated objects.
  if (r.context !== null) e.context = JSON.parse(r.context) as ArchivedEvent["context"];
  if (r.properties !== null) e.properties = JSON.parse(r.properties) as ArchivedEvent["properties"];
  return e;
}
