// Profile reads: resolve an id to its profile, then counters, linked ids and recent items.
import { and, desc, eq } from "drizzle-orm";
import { PROFILE_RECENT_ITEMS } from "../config/limits";
import { COUNTER_COLUMNS, type EventType } from "../schemas/event-types";
import type { Database } from "./db";
import { identities, profileItems, profiles } from "./schema";

export async function profileIdFor(db: Database, siteId: string, kind: "anon" | "user", externalId: string): Promise<string | undefined> {
  const row = await db
    .select({ profileId: identities.profileId })
    .from(identities)
    .where(and(eq(identities.siteId, siteId), eq(identities.kind, kind), eq(identities.externalId, externalId)))
    .get();
  return row?.profileId;
}

export type ProfileView = {
  profileId: string;
  userId: string | null;
  anonymousIds: string[];
  firstSeen: number;
  lastSeen: number;
  eventCount: number;
  counts: Record<EventType, number>;
  recentItems: { itemId: string; lastTs: number; interactions: number; carts: number; purchases: number }[];
  /** The latest consent choice among the profile's anonymous ids, or null when none was recorded. */
  consent: { analytics: boolean; personalization: boolean; updatedAt: number } | null;
};

/** Reads the profile, its links and recent items in one D1 round trip (batch). */
export async function loadProfileView(db: Database, siteId: string, profileId: string): Promise<ProfileView | undefined> {
  const [rows, links, recent] = await db.batch([
    db.select().from(profiles).where(and(eq(profiles.siteId, siteId), eq(profiles.id, profileId))),
    db
      .select({ kind: identities.kind, externalId: identities.externalId })
      .from(identities)
      .where(and(eq(identities.siteId, siteId), eq(identities.profileId, profileId))),
    db
      .select()
      .from(profileItems)
      .where(and(eq(profileItems.siteId, siteId), eq(profileItems.profileId, profileId)))
      .orderBy(desc(profileItems.lastTs))
      .limit(PROFILE_RECENT_ITEMS),
  ]);
  const p = rows[0];
  if (!p) return undefined;
  const consent = await db.$client
    .prepare(
      `SELECT analytics, personalization, updated_at FROM consents WHERE site_id = ?1 AND anonymous_id IN
         (SELECT external_id FROM identities WHERE site_id = ?1 AND kind = 'anon' AND profile_id = ?2)
       ORDER BY updated_at DESC LIMIT 1`,
    )
    .bind(siteId, profileId)
    .first<{ analytics: number; personalization: number; updated_at: number }>();
  // The cast: Object.fromEntries cannot type its keys; COUNTER_COLUMNS holds every type.
  const counts = Object.fromEntries(COUNTER_COLUMNS.map(([t, col]) => [t, p[col]])) as Record<EventType, number>;
  return {
    profileId: p.id,
    userId: p.userId,
    anonymousIds: links.filter((l) => l.kind === "anon").map((l) => l.externalId).sort(),
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen,
    eventCount: p.eventCount,
    counts,
    consent: consent ? { analytics: consent.analytics === 1, personalization: consent.personalization === 1, updatedAt: consent.updated_at } : null,
    recentItems: recent.map((r) => ({
      itemId: r.itemId,
      lastTs: r.lastTs,
      interactions: r.interactions,
      carts: r.carts,
      purchases: r.purchases,
    })),
  };
}

/** What a browser sees of a profile: no profile id (it can embed an anonymous id), only the ids it already holds. */
export function publicProfileView(view: ProfileView, ownAnonymousIds: string[]): Omit<ProfileView, "profileId"> {
  const { profileId: _internal, ...rest } = view;
  return { ...rest, anonymousIds: ownAnonymousIds };
}
