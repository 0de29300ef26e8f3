// A D1-backed lease so two runs of one job (the hourly cron and an admin "retrain now") never overlap.

/** Takes the lease if it is free or expired. Returns true when this holder has it. */
export async function acquireLease(d1: D1Database, name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const res = await d1
    .prepare(
      `INSERT INTO job_leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
       ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE job_leases.expires_at < ?4`,
    )
    .bind(name, holder, now + ttlMs, now)
    .run();
  return res.meta.changes === 1;
}

export async function releaseLease(d1: D1Database, name: string, holder: string): Promise<void> {
  await d1.prepare(`DELETE FROM job_leases WHERE name = ?1 AND holder = ?2`).bind(name, holder).run();
}
