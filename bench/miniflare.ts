// Starts the built Worker (dist/index.js from `npm run build`) in Miniflare directly, without wrangler dev's proxy
// (about 5x slower), with fresh D1/KV/DO state in memory and migrations applied. Shared by the load benchmarks.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { INGEST_QUEUE } from "../src/config/queues";

export const BENCH_ADMIN_TOKEN = "bench-admin-token";

/** Miniflare's D1 binding as seen from Node. */
export type BenchDb = Awaited<ReturnType<Miniflare["getD1Database"]>>;

/**
 * `script`: the bundled Worker (default dist/index.js; the conformance tests build their own into a temp folder).
 * `onLog`: receives the Worker's console output instead of this process's stdout (the simulator keeps stdout JSON).
 */
export async function startWorker(
  // BENCH_SCRIPT: another build, e.g. an unminified one for a readable CPU profile (bench/cpu-profile.ts).
  script = path.resolve(process.env.BENCH_SCRIPT ?? path.resolve(import.meta.dirname, "../dist/index.js")),
  opts: { onLog?: (log: { level: string; message: string }) => void; inspectorPort?: number; consume?: boolean } = {},
): Promise<{ url: string; mf: Miniflare }> {
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  // Miniflare's unpersisted state is not in memory: every Durable Object and D1 database is a SQLite file under
  // os.tmpdir(), on this VM's shared disk, and workerd's one thread waits on its I/O (a new session object creates a
  // file: ingest with fresh sessions read 2,700 events/s there against 4,900 on tmpfs). Production runs storage
  // on the objects' own hosts, not on the Worker's thread, so the state goes to tmpfs when the machine has one;
  // BENCH_STATE_DIR names another folder (BENCH_STATE_DIR=/tmp measures the disk).
  const stateDir = process.env.BENCH_STATE_DIR ?? (existsSync("/dev/shm") ? "/dev/shm" : undefined);
  if (stateDir) process.env.TMPDIR = stateDir;
  const worker = {
    name: "edgerec",
    modules: true,
    scriptPath: script,
    // Module names are relative to this root; the default (cwd) cannot reach a script in a temp folder.
    modulesRoot: path.dirname(script),
    compatibilityDate: "2026-08-01",
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: { DB: "bench-db" },
    kvNamespaces: ["REC_CACHE", "MODELS"],
    durableObjects: { SESSIONS: { className: "SessionDO", useSQLite: true } },
    // The ingest queue, its producer and its consumers as wrangler.toml configures them (all in one Worker).
    queueProducers: queueProducers(),
    // `consume: false` leaves the consumer out: the request path measured alone, as production runs the consumer in
    // invocations of its own (messages then wait in the queue).
    queueConsumers: queueConsumers(),
    r2Buckets: ["ARCHIVE"],
    bindings: { ADMIN_TOKEN: BENCH_ADMIN_TOKEN, SESSION_IDLE_MINUTES: "30", EVENT_RETENTION_DAYS: "90", D1_RAW_WINDOW_DAYS: "30", SITE_CACHE_SECONDS: "30" },
  };
  if (opts.consume === false) worker.queueConsumers = {};
  // Production's limiter is an in-memory counter per location; Miniflare's is a Durable Object writing SQLite on
  // every call, which cut `next` from ~1,700 to ~160 req/s. Load benchmarks measure the Worker, so by default the
  // bindings are an RPC stub that always allows; BENCH_RATE_LIMITS=miniflare uses Miniflare's (never refusing).
  const limiters = ["RATE_LIMIT_CLIENT", "RATE_LIMIT_SITE", "RATE_LIMIT_SERVER"];
  const realLimiters = process.env.BENCH_RATE_LIMITS === "miniflare";
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      cf: false, // never fetch Request.cf from the internet
      ...(opts.onLog ? { handleStructuredLogs: opts.onLog } : {}),
      host: "127.0.0.1",
      port: 0,
      ...(opts.inspectorPort !== undefined ? { inspectorPort: opts.inspectorPort } : {}),
      workers: [
        realLimiters
          ? {
              ...worker,
              ratelimits: Object.fromEntries(limiters.map((name, i) => [name, { namespace_id: String(4201 + i), simple: { limit: 1_000_000_000, period: 60 } }])),
            }
          : { ...worker, serviceBindings: Object.fromEntries(limiters.map((name) => [name, "allow-all-limiter"])) },
        {
          name: "allow-all-limiter",
          modules: true,
          compatibilityDate: "2026-08-01",
          script: `import { WorkerEntrypoint } from "cloudflare:workers";
            export default class extends WorkerEntrypoint { async limit() { return { success: true }; } }`,
        },
      ],
    }),
  );
  const url = (await mf.ready).toString().replace(/\/$/, "");
  await applyMigrations(await mf.getD1Database("DB"));
  return { url, mf };
}

const wranglerConfig = () => unstable_readConfig({ config: path.resolve(import.meta.dirname, "../wrangler.toml") });

/** The queue producers' bindings as wrangler.toml binds them (binding name → queue). */
export function queueProducers(): Record<string, string> {
  return Object.fromEntries((wranglerConfig().queues.producers ?? []).map((p: { binding: string; queue: string }) => [p.binding, p.queue]));
}

type Consumer = { maxBatchSize?: number; maxBatchTimeout?: number; maxRetries?: number; deadLetterQueue?: string };

/**
 * The queue consumers exactly as wrangler.toml deploys them (one place for the settings). BENCH_QUEUE_BATCH=N
 * overrides the ingest consumer's max_batch_size, to measure how the batch size trades tail latency against drain.
 */
export function queueConsumers(): Record<string, Consumer> {
  const config = wranglerConfig();
  const batch = process.env.BENCH_QUEUE_BATCH === undefined ? undefined : Number(process.env.BENCH_QUEUE_BATCH);
  return Object.fromEntries(
    (config.queues.consumers ?? []).map((c: { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string }) => [
      c.queue,
      {
        maxBatchSize: c.queue === INGEST_QUEUE && batch !== undefined ? batch : c.max_batch_size,
        maxBatchTimeout: c.max_batch_timeout,
        maxRetries: c.max_retries,
        deadLetterQueue: c.dead_letter_queue,
      },
    ]),
  );
}

/** Applies migrations/ to a fresh D1 database, in file order. */
export async function applyMigrations(db: BenchDb): Promise<void> {
  const migrations = path.resolve(import.meta.dirname, "../migrations");
  for (const file of readdirSync(migrations).filter((f) => f.endsWith(".sql")).sort()) {
    const statements = readFileSync(path.join(migrations, file), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
}

/** The bench site's server key (server-side batches that mix visitors go through it). */
export const BENCH_SERVER_KEY = "sk_bench_server_key_000000000000000001";

export async function createBenchSite(url: string, key: string): Promise<void> {
  const res = await fetch(`${url}/admin/sites/bench`, {
    method: "PUT",
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", writeKey: key, serverKey: BENCH_SERVER_KEY, allowedOrigins: ["*"] }),
  });
  if (!res.ok) throw new Error(`bench site: ${res.status} ${await res.text()}`);
}
