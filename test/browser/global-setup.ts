// Starts the Worker with `wrangler dev` on a free loopback port with fresh local state, seeds the demo shop through
// the API (and trains its model), and stops the whole process group afterwards.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { seed } from "../../scripts/seed";

export const BROWSER_ADMIN_TOKEN = "browser-test-admin-token";

/** What `wrangler dev` needs to build and run the Worker (plus node_modules, linked). */
const WORKER_FILES = ["src", "migrations", "wrangler.toml", "package.json", "tsconfig.json", "worker-configuration.d.ts"];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A copy of the Worker's sources. wrangler dev rebuilds on every file change and restarts the Worker mid-request,
 * so edits made while the suite runs (a developer's, or a build step's) would fail requests at random.
 */
function snapshot(dir: string): string {
  const root = process.cwd();
  const app = path.join(dir, "app");
  mkdirSync(app);
  for (const f of WORKER_FILES) cpSync(path.join(root, f), path.join(app, f), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(app, "node_modules"), "dir");
  raiseClientLimit(path.join(app, "wrangler.toml"));
  return app;
}

/**
 * Every page and every poll of this suite comes from one address (127.0.0.1) on the demo site, so the production
 * per-client budget (600 requests a minute) is spent within a minute of parallel test files, and a 429's 60 s
 * Retry-After then outlasts a test's wait. The snapshot's client limit is raised out of the way; the limits
 * themselves are tested in the workers project (test/workers/rate-limit.test.ts).
 */
function raiseClientLimit(file: string): void {
  const toml = readFileSync(file, "utf8");
  const client = /(name = "RATE_LIMIT_CLIENT"\n[^\[]*?simple = \{ limit = )\d+/;
  if (!client.test(toml)) throw new Error("wrangler.toml: RATE_LIMIT_CLIENT's simple limit not found");
  writeFileSync(file, toml.replace(client, (_, head: string) => `${head}100000`));
}

let server: ChildProcess | undefined;
let dir: string | undefined;

async function teardown(): Promise<void> {
  if (server?.pid) {
    try {
      // detached: the server is its own process group (npm → wrangler → esbuild + two workerd).
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

async function start(project: TestProject): Promise<void> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
  dir = mkdtempSync(path.join(tmpdir(), "edgerec-browser-"));
  const cwd = snapshot(dir);
  const state = path.join(dir, "state");
  const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd, env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
  const port = await freePort();
  server = spawn(
    "npx",
    ["wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--var", `ADMIN_TOKEN:${BROWSER_ADMIN_TOKEN}`, "--log-level", "warn"],
    { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  server.stdout?.on("data", (d) => (output += String(d)));
  server.stderr?.on("data", (d) => (output += String(d)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  await seed({ baseUrl: base, adminToken: BROWSER_ADMIN_TOKEN, visitors: 120, train: true, log: () => {} });
  project.provide("baseUrl", base);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    await start(project);
  } catch (err) {
    // vitest only calls the returned teardown after a successful setup: stop the server here, or it outlives the run.
    await teardown();
    throw err;
  }
  return teardown;
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
