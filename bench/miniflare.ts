// Starts the built Worker (dist/index.js from `npm run build`) in Miniflare directly, without wrangler dev's proxy
// (about 5x slower), with fresh in-memory D1/KV/DO state and migrations applied. Shared by the load benchmarks.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";

export const BENCH_ADMIN_TOKEN = "bench-admin-token";

export async function startWorker(): Promise<{ url: string; mf: Miniflare }> {
  const root = path.resolve(import.meta.dirname, "..");
  const script = path.join(root, "dist/index.js");
  if (!existsSync(script)) throw new Error("dist/index.js is missing: run `npm run build` first");
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: script,
      compatibilityDate: "2026-08-01",
      compatibilityFlags: ["nodejs_compat"],
      cf: false, // never fetch Request.cf from the internet
      d1Databases: { DB: "bench-db" },
      kvNamespaces: ["REC_CACHE", "MODELS"],
      durableObjects: { SESSIONS: { className: "SessionDO", useSQLite: true } },
      bindings: { ADMIN_TOKEN: BENCH_ADMIN_TOKEN, SESSION_IDLE_MINUTES: "30", EVENT_RETENTION_DAYS: "90", SITE_CACHE_SECONDS: "30" },
      host: "127.0.0.1",
      port: 0,
    }),
  );
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB");
  const migrations = path.join(root, "migrations");
  for (const file of readdirSync(migrations).filter((f) => f.endsWith(".sql")).sort()) {
    const statements = readFileSync(path.join(migrations, file), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
  return { url, mf };
}

export async function createBenchSite(url: string, key: string): Promise<void> {
  const res = await fetch(`${url}/admin/sites/bench`, {
    method: "PUT",
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", writeKey: key, allowedOrigins: ["*"] }),
  });
  if (!res.ok) throw new Error(`bench site: ${res.status} ${await res.text()}`);
}
