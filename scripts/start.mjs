// `npm start`: local D1 migrations, wrangler dev on loopback, demo data through the API, then the URL and key.
// Runs under the project's pinned Node (npm run puts node_modules/.bin first on PATH). Running it twice is fine.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";

const PORT = Number(process.env.PORT ?? 8787);
const HOST = "127.0.0.1";
const BASE = `http://${HOST}:${PORT}`;
// Keep local dev off the network: no telemetry, no Request.cf fetch.
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("start: created .dev.vars from .dev.vars.example (local ADMIN_TOKEN)");
}

const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], { stdio: "inherit", env });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// --test-scheduled serves /__scheduled?cron=…, which runs the cron's job (verified on wrangler 4.156.2). It also silences
// wrangler's hint, `curl …/cdn-cgi/local/scheduled`, which sends an empty cron: no job has that, so it only fails.
const dev = spawn("wrangler", ["dev", "--port", String(PORT), "--ip", HOST, "--log-level", "warn", "--test-scheduled", ...process.argv.slice(2)], {
  stdio: ["inherit", "inherit", "inherit"],
  env,
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code) => process.exit(code ?? 0));

async function waitForHealth(deadline) {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${BASE}/health`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

if (!(await waitForHealth(Date.now() + 60_000))) {
  console.error(`start: ${BASE}/health did not answer within 60 s`);
  dev.kill("SIGTERM");
  process.exit(1);
}
const seed = spawnSync("tsx", ["scripts/seed.ts", "--base-url", BASE, "--visitors", process.env.DEMO_VISITORS ?? "300"], { stdio: "inherit", env });
if (seed.status !== 0) console.error("start: seeding failed (the server keeps running)");
// src/config/demo.ts is the one source of the demo keys; this plain-JS launcher reads it rather than copying it.
const demoConfig = readFileSync("src/config/demo.ts", "utf8");
const DEMO_WRITE_KEY = /DEMO_WRITE_KEY = "([^"]+)"/.exec(demoConfig)?.[1];
const DEMO_SERVER_KEY = /DEMO_SERVER_KEY = "([^"]+)"/.exec(demoConfig)?.[1];
// One trigger URL per cron in wrangler.toml (test/unit/lib/crons.test.ts keeps them equal to src/config/crons.ts).
const cronList = /^crons\s*=\s*\[([^\]]*)\]/m.exec(readFileSync("wrangler.toml", "utf8"))?.[1] ?? "";
const cronUrls = [...cronList.matchAll(/"([^"]+)"/g)].map(([, cron]) => `  cron:      curl "${BASE}/__scheduled?cron=${cron.replaceAll(" ", "+")}"`);
console.log(`
edgerec is running at ${BASE}
  health:    ${BASE}/health
  demo shop: ${BASE}/demo
  demo key:  ${DEMO_WRITE_KEY} (public write key)
  server key: ${DEMO_SERVER_KEY} (secret: the demo shop's backend)
  admin:     Authorization: Bearer <ADMIN_TOKEN from .dev.vars>
Crons do not fire by themselves in wrangler dev; run one now with:
${cronUrls.join("\n")}
Press Ctrl+C to stop.
`);
