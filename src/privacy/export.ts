// Data-subject access (GDPR art. 15/20, CCPA "right to know"): one JSON document with the visitor's profile, linked
// ids, consent history, segment membership and raw events, the events paged in time order by an opaque cursor.
import { EXPORT_PAGE_EVENTS } from "../config/limits";
import { ApiError } from "../lib/errors";
import { consentHistoryOf } from "../storage/consent-repo";
import { database } from "../storage/db";
import { loadProfileView, publicProfileView, type ProfileView } from "../storage/profiles-repo";
import type { ErasureSubject } from "../storage/erasure-repo";
import { visitorSegment } from "../serving/visitor-segment";

export type ExportedEvent = {
  id: string;
  type: string;
  anonymousId: string;
  userId: string | null;
  sessionId: string;
  itemId: string | null;
  ts: number;
  receivedAt: number;
  context: unknown;
  properties: unknown;
};

export type ExportDocument = {
  /** The self-service export shows the public view (no internal profile id). */
  profile: ProfileView | Omit<ProfileView, "profileId"> | null;
  linkedIds: { anonymousIds: string[]; userId: string | null };
  consentHistory: Awaited<ReturnType<typeof consentHistoryOf>>;
  segment: { segment: number; description: string } | null;
  events: ExportedEvent[];
  /** Pass it back (`?cursor=` or body `cursor`) for the next page of events; null on the last page. */
  nextCursor: string | null;
};

/** A cursor is the last exported event's time and id: pages stay stable while new events arrive. */
function encodeCursor(ts: number, id: string): string {
  return `${ts}.${id}`;
}

function decodeCursor(cursor: string): { ts: number; id: string } {
  const dot = cursor.indexOf(".");
  const ts = Number(cursor.slice(0, dot));
  if (dot < 1 || !Number.isSafeInteger(ts)) {
    throw new ApiError(400, "invalid_request", "invalid cursor: not a cursor from a previous export page", [{ path: "cursor", message: "is not a cursor from a previous page" }]);
  }
  return { ts, id: cursor.slice(dot + 1) };
}

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/**
 * Builds the document for a resolved subject. `ownAnonymousId` set (self-service) limits linked ids and events to
 * the caller's own anonymous id: the other devices' ids are credentials for these very routes, never handed out.
 */
export async function exportSubject(
  env: Env,
  siteId: string,
  subject: ErasureSubject,
  opts: { cursor?: string; ownAnonymousId?: string; pageSize?: number; now?: number },
): Promise<ExportDocument> {
  const pageSize = opts.pageSize ?? EXPORT_PAGE_EVENTS;
  const after = opts.cursor !== undefined ? decodeCursor(opts.cursor) : { ts: -1, id: "" };
  const anonymousIds = opts.ownAnonymousId !== undefined ? [opts.ownAnonymousId] : subject.anonymousIds;
  const db = database(env.DB);
  const [view, history, page, segment] = await Promise.all([
    subject.profileId ? loadProfileView(db, siteId, subject.profileId) : Promise.resolve(undefined),
    consentHistoryOf(env.DB, siteId, anonymousIds),
    subject.profileId
      ? env.DB.prepare(
          `SELECT id, type, anonymous_id, user_id, session_id, item_id, ts, received_at, context, properties FROM events
           WHERE site_id = ?1 AND profile_id = ?2 AND (?3 IS NULL OR anonymous_id = ?3) AND (ts > ?4 OR (ts = ?4 AND id > ?5))
           ORDER BY ts, id LIMIT ?6`,
        )
          .bind(siteId, subject.profileId, opts.ownAnonymousId ?? null, after.ts, after.id, pageSize + 1)
          .all<{
            id: string;
            type: string;
            anonymous_id: string;
            user_id: string | null;
            session_id: string;
            item_id: string | null;
            ts: number;
            received_at: number;
            context: string | null;
            properties: string | null;
          }>()
          .then((r) => r.results)
      : Promise.resolve([]),
    subject.profileId ? segmentOf(env, siteId, subject.profileId, opts.now ?? Date.now()) : Promise.resolve(null),
  ]);
  const rows = page.slice(0, pageSize);
  const last = rows.at(-1);
  // Self-service: no profile id, which can embed another device's anonymous id.
  const profile = view ? (opts.ownAnonymousId !== undefined ? publicProfileView(view, anonymousIds) : view) : null;
  return {
    profile,
    linkedIds: { anonymousIds, userId: subject.userId },
    consentHistory: history,
    segment,
    events: rows.map((r) => ({
      id: r.id,
      type: r.type,
      anonymousId: r.anonymous_id,
      userId: r.user_id,
      sessionId: r.session_id,
      itemId: r.item_id,
      ts: r.ts,
      receivedAt: r.received_at,
      context: parseJson(r.context),
      properties: parseJson(r.properties),
    })),
    nextCursor: page.length > pageSize && last ? encodeCursor(last.ts, last.id) : null,
  };
}

/** The visitor's segment in the served model (as src/serving/recommend.ts assigns it), or null without a model. */
async function segmentOf(env: Env, siteId: string, profileId: string, now: number): Promise<{ segment: number; description: string } | null> {
  const { segment } = await visitorSegment(env, siteId, profileId, now);
  return segment ? { segment: segment.id, description: segment.description } : null;
}
