// Seeds a running edgerec with the demo site, catalog and a synthetic event stream, through the public HTTP API
// (so seeding exercises the same validation and dedup as real traffic). Safe to run again: ids are deterministic.
//   npm run seed -- --base-url http://127.0.0.1:8787 [--visitors 300] [--planted 200] [--admin-token T]
// `--planted N` adds N visitors drawn from the generator's planted personas (PLANTED_PERSONAS), so the segments
// report has real groups to find (the default demo visitors have none: random affinities, devices and hours).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEMO_IDENTITY_SECRET, DEMO_SERVER_KEY, DEMO_SITE_ID, DEMO_WRITE_KEY } from "../src/config/demo";
import { MAX_ITEMS_PER_UPSERT, SERVER_BATCH_LIMITS } from "../src/config/limits";
import { planBatches } from "../src/ingest/cap-distinct";
import { demoCatalog, demoEvents, demoPlantedEvents } from "./demo/generator";

function adminTokenFromDevVars(): string | undefined {
  try {
    const line = readFileSync(".dev.vars", "utf8").split("\n").find((l) => l.startsWith("ADMIN_TOKEN="));
    return line?.slice("ADMIN_TOKEN=".length).trim();
  } catch {
    return undefined;
  }
}

async function call(url: string, init: RequestInit, expect: number[]): Promise<unknown> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${init.method ?? "GET"} ${url} -> ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

export async function seed(opts: {
  baseUrl: string;
  adminToken: string;
  visitors: number;
  /** Extra visitors from the planted segment personas (default 0). */
  planted?: number;
  /** Train the demo model after loading events (default true). */
  train?: boolean;
  log?: (s: string) => void;
}): Promise<{ items: number; events: number }> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s));
  const admin = { authorization: `Bearer ${opts.adminToken}`, "content-type": "application/json" };
  const origin = new URL(opts.baseUrl);
  const origins = [origin.origin, `${origin.protocol}//localhost:${origin.port}`, `${origin.protocol}//127.0.0.1:${origin.port}`];
  await call(`${opts.baseUrl}/admin/sites/${DEMO_SITE_ID}`, {
    method: "PUT",
    headers: admin,
    body: JSON.stringify({
      name: "edgerec demo shop",
      writeKey: DEMO_WRITE_KEY,
      serverKey: DEMO_SERVER_KEY,
      identitySecret: DEMO_IDENTITY_SECRET,
      allowedOrigins: [...new Set(origins)],
    }),
  }, [200, 201]);

  const items = demoCatalog();
  for (let i = 0; i < items.length; i += MAX_ITEMS_PER_UPSERT) {
    await call(`${opts.baseUrl}/v1/items`, {
      method: "PUT",
      headers: { ...admin, "x-edgerec-key": DEMO_SERVER_KEY },
      body: JSON.stringify({ items: items.slice(i, i + MAX_ITEMS_PER_UPSERT) }),
    }, [200]);
  }
  log(`seed: site ${DEMO_SITE_ID}, ${items.length} catalog items\n`);

  const now = Date.now() - 60_000;
  const events = [...demoEvents({ now, visitors: opts.visitors }), ...(opts.planted ? demoPlantedEvents({ now, visitors: opts.planted, days: 7 }).events : [])].sort((a, b) => a.ts - b.ts);
  let rejected = 0;
  let done = 0;
  // The demo history is an import from the shop's backend (it names signed-in users), so it uses the server key,
  // in batches within its per-batch caps.
  for (const batch of planBatches(events, SERVER_BATCH_LIMITS)) {
    const result = (await call(`${opts.baseUrl}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-edgerec-key": DEMO_SERVER_KEY },
      body: JSON.stringify({ events: batch }),
    }, [200])) as { rejected: unknown[] };
    rejected += result.rejected.length;
    done += batch.length;
    log(`\rseed: events ${done}/${events.length} (${Math.round((100 * done) / events.length)}%)`);
  }
  log(`\nseed: done, ${events.length} events sent, ${rejected} rejected\n`);
  // Ingest answers once events are on the queue; its consumer stores them a moment later. Whoever trains next (here,
  // or a caller with `train: false`) must see all of them: wait (polling) until every visitor of the last batches
  // shows all their events in their profile. (The load benchmarks retrained straight after a `train: false` seed
  // and, in some runs, measured a model of 0 items.)
  await waitForProfiles(opts.baseUrl, events.slice(-500));
  if (opts.train !== false) {
    const trained = (await call(`${opts.baseUrl}/admin/retrain?site=${DEMO_SITE_ID}`, { method: "POST", headers: admin }, [201])) as {
      version: { version: string; itemCount: number; metrics: Record<string, unknown> };
    };
    log(`seed: trained model ${trained.version.version} (${trained.version.itemCount} items, ${JSON.stringify(trained.version.metrics)})\n`);
  }
  return { items: items.length, events: events.length };
}

/** Polls GET /v1/users/:anonymousId (server key) until each visitor's profile counts at least its events here. */
export async function waitForProfiles(baseUrl: string, events: readonly { anonymousId: string }[]): Promise<void> {
  const expected = new Map<string, number>();
  for (const e of events) expected.set(e.anonymousId, (expected.get(e.anonymousId) ?? 0) + 1);
  const deadline = Date.now() + 120_000;
  for (const [anon, n] of expected) {
    for (;;) {
      const res = await fetch(`${baseUrl}/v1/users/${encodeURIComponent(anon)}`, { headers: { "x-edgerec-key": DEMO_SERVER_KEY } });
      const count = res.ok ? ((await res.json()) as { eventCount?: number }).eventCount ?? 0 : 0;
      if (count >= n) break;
      if (Date.now() > deadline) throw new Error(`seed: the ingest queue has not stored ${anon}'s events after 120 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      "base-url": { type: "string", default: "http://127.0.0.1:8787" },
      "admin-token": { type: "string" },
      visitors: { type: "string", default: "300" },
      planted: { type: "string", default: "0" },
    },
  });
  const adminToken = values["admin-token"] ?? process.env.ADMIN_TOKEN ?? adminTokenFromDevVars();
  if (!adminToken) {
    console.error("seed: no admin token (pass --admin-token, set ADMIN_TOKEN, or create .dev.vars)");
    process.exit(2);
  }
  await seed({ baseUrl: values["base-url"]!, adminToken, visitors: Number(values.visitors), planted: Number(values.planted) });
}
