// Serving latency: GET /v1/sessions/:id/next (and /v1/recommendations) against the Worker in Miniflare on loopback.
// Seeds the demo shop through the API, trains the model, opens live sessions, then drives reads with autocannon.
//   npm run build && npm run bench -- next [--connections 10] [--duration 10]
import autocannon from "autocannon";
import { seed, waitForProfiles } from "../scripts/seed";
import { BENCH_ADMIN_TOKEN, startWorker } from "./miniflare";
import { DEMO_SERVER_KEY, DEMO_WRITE_KEY } from "../src/config/demo";
import { SERVER_BATCH_LIMITS } from "../src/config/limits";
import { planBatches } from "../src/ingest/cap-distinct";
import { demoCatalog } from "../scripts/demo/generator";
import { freePort, profiling, startProfile } from "./cpu-profile";
import { FLOOR_PATH } from "./health";

const SESSIONS = 200;

/**
 * Reads carry the session's path as the snippet sends it (`path=`, the items it tracked), so they need no read of
 * the session's Durable Object; the `-live` modes send only the session id and read the path from the object.
 * `next` / `next-live`: GET /v1/sessions/:id/next. `next-fresh`: a carried path of 3 random items per request, so
 * the isolate's list memo (src/serving/list-memo.ts) misses and the pipeline runs every time. `recommendations` / `recommendations-live`: the slot endpoint
 * for a session without a visitor id.
 * `click-refresh`: POST /v1/events?recommend=product with one click (a fresh event id each time) of a returning
 * visitor: the click stored in the session and the slot's refreshed list in one round trip (its latency is the
 * click-to-updated-list latency).
 * `session`: GET /v1/sessions/:id, the live path alone (the Durable Object's share of a `-live` read).
 * `personal-warm`: with an anonymous id, the same 200 visitors and states again and again (list cache hits).
 * `personal-cold`: with an anonymous id and a new slot name every request, so every request misses the list cache
 * and blends from scratch (the visitor's history and summary come from the isolate after its first read of them,
 * as for a page's several slots).
 * `personal-first`: a visitor id never seen before on every request: the list cache and the visitor's context both
 * miss, so each request reads D1 (identity and history in one batch) and blends from scratch.
 */
export const NEXT_MODES = ["session", "next", "next-fresh", "next-live", "recommendations", "recommendations-live", "personal-warm", "personal-cold", "personal-first", "click-refresh"] as const;
export type NextMode = (typeof NEXT_MODES)[number];

/**
 * `interleave`: instead of one run of `duration` seconds, that many pairs of short slices (duration / interleave
 * seconds each) alternating the floor path and this benchmark's, in the same Miniflare instance after the same
 * seeding, the order flipped every pair (floor-target, target-floor, ...). Each pair's ratio is read against a floor
 * measured seconds from it, so the machine's drift (floors moved by a third within one run here) cancels; the line
 * reports the median pair ratio and the range.
 */
export async function benchNext(opts: { connections: number; duration: number; path: NextMode; interleave?: number }): Promise<Record<string, number | string>> {
  const inspectorPort = profiling ? await freePort() : undefined;
  const { url, mf } = await startWorker(undefined, { inspectorPort });
  try {
    await seed({ baseUrl: url, adminToken: BENCH_ADMIN_TOKEN, visitors: 300, train: false, log: () => {} });
    const trained = await fetch(`${url}/admin/retrain?site=demo`, { method: "POST", headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } });
    if (trained.status !== 201) throw new Error(`retrain: ${trained.status} ${await trained.text()}`);
    const version = ((await trained.json()) as { version: { version: string; itemCount: number } }).version;
    if (version.itemCount === 0) throw new Error("retrain: the model has no items (the seeded events were not stored)");
    // BENCH_CANARY_SHARE=0.5: a pending canary (a random copy of the model) serves that share of visitors, so the
    // personal modes measure the canary split's cost (the canary's own shards are one more isolate-cached set).
    const canaryShare = process.env.BENCH_CANARY_SHARE;
    if (canaryShare) {
      const res = await fetch(`${url}/admin/models/demo/canary`, {
        method: "POST",
        headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ build: "random", share: Number(canaryShare) }),
      });
      if (res.status !== 201) throw new Error(`canary: ${res.status} ${await res.text()}`);
    }

    // Live sessions with 1-6 steps each, so reads score real paths.
    const items = demoCatalog().map((i) => i.id);
    const now = Date.now();
    const events = [];
    for (let s = 0; s < SESSIONS; s++) {
      const steps = 1 + (s % 6);
      for (let i = 0; i < steps; i++) {
        events.push({ id: crypto.randomUUID(), type: "view", anonymousId: `bench-${s}`, sessionId: `bench-s${s}`, itemId: items[(s * 7 + i) % items.length], ts: now - 10_000 + i });
      }
    }
    // 200 visitors' sessions at once: the server key's per-batch caps, and every event must be accepted (a
    // rejected one would leave a session empty and the read cheaper than it is).
    for (const batch of planBatches(events, SERVER_BATCH_LIMITS)) {
      const res = await fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": "application/json", "x-edgerec-key": DEMO_SERVER_KEY }, body: JSON.stringify({ events: batch }) });
      if (!res.ok) throw new Error(`events: ${res.status}`);
      const rejected = ((await res.json()) as { rejected: unknown[] }).rejected.length;
      if (rejected > 0) throw new Error(`events: ${rejected} rejected`);
    }
    // The queue consumer stores them a moment later: until then the visitors have no history, and a personal read
    // (which caches the visitor's context) would measure an anonymous newcomer's list.
    await waitForProfiles(url, events);
    let cold = 0;
    // The path the snippet tracked for session s (the same steps the seeding sent), oldest first.
    const carried = (s: number) => `&path=${Array.from({ length: 1 + (s % 6) }, (_, i) => encodeURIComponent(items[(s * 7 + i) % items.length]!)).join(",")}`;
    const target = (s: number) => {
      if (opts.path === "session") return `/v1/sessions/bench-s${s}?key=${DEMO_WRITE_KEY}`;
      if (opts.path === "next") return `/v1/sessions/bench-s${s}/next?k=10${carried(s)}&key=${DEMO_WRITE_KEY}`;
      if (opts.path === "next-fresh") return `/v1/sessions/bench-s${s}/next?k=10&path=${[0, 1, 2].map(() => encodeURIComponent(items[Math.floor(Math.random() * items.length)]!)).join(",")}&key=${DEMO_WRITE_KEY}`;
      if (opts.path === "next-live") return `/v1/sessions/bench-s${s}/next?k=10&key=${DEMO_WRITE_KEY}`;
      if (opts.path === "recommendations") return `/v1/recommendations?sessionId=bench-s${s}${carried(s)}&k=10&key=${DEMO_WRITE_KEY}`;
      if (opts.path === "recommendations-live") return `/v1/recommendations?sessionId=bench-s${s}&k=10&key=${DEMO_WRITE_KEY}`;
      if (opts.path === "personal-first") return `/v1/recommendations?anonymousId=bench-new-${cold++}&sessionId=bench-s${s}${carried(s)}&slot=home&k=10&key=${DEMO_WRITE_KEY}`;
      const slot = opts.path === "personal-cold" ? `c${cold++}` : "home";
      return `/v1/recommendations?anonymousId=bench-${s}&sessionId=bench-s${s}${carried(s)}&slot=${slot}&k=10&key=${DEMO_WRITE_KEY}`;
    };
    const click = (s: number) =>
      JSON.stringify({ events: [{ id: crypto.randomUUID(), type: "click", anonymousId: `bench-${s}`, sessionId: `bench-s${s}`, itemId: items[(s * 11 + n) % items.length], ts: Date.now() }] });
    const refreshPath = `/v1/events?recommend=product&k=10&key=${DEMO_WRITE_KEY}`;
    // Warm-up: first reads fill the isolate caches (manifest, shards, catalog details).
    let n = 0;
    for (let s = 0; s < SESSIONS; s++) {
      if (opts.path === "click-refresh") await (await fetch(`${url}${refreshPath}`, { method: "POST", body: click(s) })).arrayBuffer();
      else await (await fetch(`${url}${target(s)}`)).arrayBuffer();
    }

    const load = (duration: number) => autocannon({
      url,
      connections: opts.connections,
      duration,
      requests: [
        opts.path === "click-refresh"
          ? { method: "POST", setupRequest: (req) => ({ ...req, path: refreshPath, headers: { "content-type": "text/plain" }, body: click(n++ % SESSIONS) }) }
          : { method: "GET", setupRequest: (req) => ({ ...req, path: target(n++ % SESSIONS) }) },
      ],
    });
    const stopProfile = inspectorPort !== undefined ? await startProfile(inspectorPort) : null;
    if (opts.interleave !== undefined && opts.interleave > 0) {
      const slices = await interleaved(url, opts, load);
      await stopProfile?.();
      return { endpoint: opts.path, modelVersion: version.version, modelItems: version.itemCount, connections: opts.connections, ...slices };
    }
    const result = await load(opts.duration);
    await stopProfile?.();
    return {
      endpoint: opts.path,
      modelVersion: version.version,
      modelItems: version.itemCount,
      connections: opts.connections,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      reqPerSec: result.requests.average,
      latencyP50ms: result.latency.p50,
      latencyP99ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
    };
  } finally {
    await mf.dispose();
  }
}

type Load = Awaited<ReturnType<typeof autocannon>>;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

/** `interleave` pairs of floor and target slices (see benchNext); ratios per pair, then their median and range. */
async function interleaved(
  url: string,
  opts: { connections: number; duration: number; interleave?: number },
  load: (duration: number) => Promise<Load>,
): Promise<Record<string, number | string>> {
  const pairs = opts.interleave!;
  const slice = Math.max(1, Math.round(opts.duration / pairs));
  const floorLoad = () => autocannon({ url: `${url}${FLOOR_PATH}`, connections: opts.connections, duration: slice });
  const reqRatios: number[] = [];
  const p99Ratios: number[] = [];
  const target: Load[] = [];
  const floors: Load[] = [];
  for (let i = 0; i < pairs; i++) {
    // Flipping the order every pair keeps a slow-down that builds within a pair from always landing on one side.
    const [f, t] = i % 2 === 0 ? [await floorLoad(), await load(slice)] : await load(slice).then(async (t) => [await floorLoad(), t] as const);
    floors.push(f);
    target.push(t);
    reqRatios.push(t.requests.average / f.requests.average);
    p99Ratios.push(t.latency.p99 / Math.max(1, f.latency.p99));
    process.stderr.write(`  pair ${i + 1}/${pairs}: floor ${Math.round(f.requests.average)} req/s, target ${Math.round(t.requests.average)} req/s (${round2(reqRatios.at(-1)!)})\n`);
  }
  return {
    interleavedPairs: pairs,
    sliceSeconds: slice,
    requests: target.reduce((n, r) => n + r.requests.total, 0),
    non2xx: target.reduce((n, r) => n + r.non2xx, 0),
    errors: target.reduce((n, r) => n + r.errors, 0),
    reqPerSec: Math.round(median(target.map((r) => r.requests.average))),
    latencyP50ms: median(target.map((r) => r.latency.p50)),
    latencyP99ms: median(target.map((r) => r.latency.p99)),
    floorReqPerSec: Math.round(median(floors.map((r) => r.requests.average))),
    floorLatencyP99ms: median(floors.map((r) => r.latency.p99)),
    vsFloorReqPerSec: round2(median(reqRatios)),
    vsFloorReqPerSecRange: `${round2(Math.min(...reqRatios))}-${round2(Math.max(...reqRatios))}`,
    vsFloorP99: round2(median(p99Ratios)),
    vsFloorP99Range: `${round2(Math.min(...p99Ratios))}-${round2(Math.max(...p99Ratios))}`,
  };
}
