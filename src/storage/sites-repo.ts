// Sites and their write keys in D1.
import { eq } from "drizzle-orm";
import type { Database } from "./db";
import { sites, type SiteRow } from "./schema";

export async function findSiteByKey(db: Database, writeKey: string): Promise<SiteRow | undefined> {
  return db.select().from(sites).where(eq(sites.writeKey, writeKey)).get();
}

export async function findSite(db: Database, id: string): Promise<SiteRow | undefined> {
  return db.select().from(sites).where(eq(sites.id, id)).get();
}

export async function listSites(db: Database): Promise<SiteRow[]> {
  return db.select().from(sites).orderBy(sites.id).all();
}

/** Creates or replaces a site's name, origins and key; created_at survives updates. */
export async function upsertSite(
  db: Database,
  site: { id: string; name: string; writeKey: string; allowedOrigins: string[] },
  now: Date,
): Promise<SiteRow> {
  const row = await db
    .insert(sites)
    .values({ ...site, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: sites.id,
      set: { name: site.name, writeKey: site.writeKey, allowedOrigins: site.allowedOrigins, updatedAt: now },
    })
    .returning()
    .get();
  return row;
}
