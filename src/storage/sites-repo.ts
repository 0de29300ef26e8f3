// Sites in D1 (their keys live in site_keys, storage/site-keys-repo.ts).
import { eq } from "drizzle-orm";
import type { Database } from "./db";
import { sites, type SiteRow } from "./schema";

export async function findSite(db: Database, id: string): Promise<SiteRow | undefined> {
  return db.select().from(sites).where(eq(sites.id, id)).get();
}

export async function listSites(db: Database): Promise<SiteRow[]> {
  return db.select().from(sites).orderBy(sites.id).all();
}

/** Creates or replaces a site's name, origins and identity setting; created_at survives updates. */
export async function upsertSite(
  db: Database,
  site: { id: string; name: string; allowedOrigins: string[]; identityVerification?: "required" | "off" },
  now: Date,
): Promise<SiteRow> {
  const row = await db
    .insert(sites)
    .values({ ...site, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: sites.id,
      set: {
        name: site.name,
        allowedOrigins: site.allowedOrigins,
        ...(site.identityVerification ? { identityVerification: site.identityVerification } : {}),
        updatedAt: now,
      },
    })
    .returning()
    .get();
  return row;
}
