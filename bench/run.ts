// `npm run bench [-- name ...]`: runs the named benchmarks (default: all) and prints their figures as JSON lines.
// Load benchmarks are read against `floor` (a route touching no storage) of the same invocation, which runs first
// whenever one is asked for: each load line carries `vsFloorReqPerSec` and `vsFloorP99`, the ratios that stay
// meaningful on a shared, noisy machine.
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { benchIngest, benchIngestLag } from "./ingest";
import { benchPath, FLOOR_PATH } from "./health";
import { benchNext, NEXT_MODES } from "./next";
import { benchSegments } from "./segments";
import { benchTrending } from "./trending";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  // --floor-each: measure the floor again right before every load benchmark and read each against its own floor
  // (on a machine whose load drifts during the run, a floor measured minutes earlier misleads).
  // --interleave N: the read benchmarks (bench/next.ts) alternate N pairs of short floor and target slices in their
  // own Miniflare instance and report the median pair ratio (the steadiest figure on a machine whose speed drifts).
  options: {
    connections: { type: "string", default: "10" },
    duration: { type: "string", default: "10" },
    "floor-each": { type: "boolean", default: false },
    interleave: { type: "string" },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const interleave = values.interleave === undefined ? undefined : Number(values.interleave);
if (interleave !== undefined && !(Number.isInteger(interleave) && interleave > 0)) {
  console.error(`--interleave wants a positive whole number of pairs, not ${values.interleave}`);
  process.exit(2);
}

const benches: Record<string, () => Promise<Record<string, number | string>>> = {
  // The floor: Hono + Miniflare with no storage (Hono's 404), to read the other figures as ratios to it.
  floor: () => benchPath(FLOOR_PATH, { connections, duration }),
  health: () => benchPath("/health", { connections, duration }),
  ingest: () => benchIngest({ connections, duration, batchSize: 100, sessionsPerBatch: 1, visitors: 500 }),
  // The same load with the consumer left out: the request path's own rate (bench/ingest.ts).
  "ingest-accept": () => benchIngest({ connections, duration, batchSize: 100, sessionsPerBatch: 1, visitors: 500, consumer: false }),
  // How long after the answer a profile read shows the events (the ingest queue's eventual consistency).
  "ingest-lag": () => benchIngestLag({ samples: 20 }),
  "ingest-mixed": () => benchIngest({ connections, duration, batchSize: 100, sessionsPerBatch: 10, visitors: 500 }),
  // The read benchmarks (bench/next.ts), one per mode.
  ...Object.fromEntries(NEXT_MODES.map((path) => [path, () => benchNext({ connections, duration, interleave, path })])),
  // The trending query on a week of a mid-size shop (no built Worker needed: D1 only).
  trending: () => benchTrending({ events: 300_000, visitors: 30_000, items: 5_000 }),
  // The retrain's trainers on a streamed synthetic shop of 1M, 3M and 10M events (memory flat, time linear).
  "train-scale": async () => {
    const r = spawnSync("tsx", ["bench/train-scale.ts"], { stdio: "inherit" });
    return { exitCode: r.status ?? -1 };
  },
  // The retrain's segmentation at its profile cap (pure TypeScript, no Worker needed).
  segments: () => benchSegments(),
  // Training runs per dataset in child processes (clean peak-memory figures); it prints its own table.
  train: async () => {
    const r = spawnSync("tsx", ["bench/train.ts"], { stdio: "inherit" });
    return { exitCode: r.status ?? -1 };
  },
};

/** Benchmarks that are not HTTP load on the Worker, so a ratio to the floor means nothing for them. */
const NOT_LOAD = new Set(["trending", "train", "train-scale", "segments", "ingest-lag"]);

const asked = positionals.length > 0 ? positionals : Object.keys(benches);
const unknown = asked.filter((n) => !benches[n]);
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
/** With --interleave, the read benchmarks measure their own floor slices; the others still need the run's floor. */
const READS = new Set<string>(NEXT_MODES);
const ownFloor = (n: string) => interleave !== undefined && READS.has(n);
const needsFloor = asked.some((n) => !NOT_LOAD.has(n) && n !== "floor" && !ownFloor(n));
const names = needsFloor && !values["floor-each"] ? ["floor", ...asked.filter((n) => n !== "floor")] : asked;
let floor: Record<string, number | string> | undefined;
const ratio = (a: unknown, b: unknown) => (typeof a === "number" && typeof b === "number" && b > 0 ? Math.round((a / b) * 100) / 100 : null);
for (const name of names) {
  if (values["floor-each"] && name !== "floor" && !NOT_LOAD.has(name) && !ownFloor(name)) {
    process.stderr.write(`bench: floor (before ${name}) ...\n`);
    floor = await benches.floor!();
    console.log(JSON.stringify({ bench: "floor", before: name, ...floor }));
  }
  process.stderr.write(`bench: ${name} ...\n`);
  const r = await benches[name]!();
  if (name === "floor") floor = r;
  const vs = floor && name !== "floor" && !NOT_LOAD.has(name) && !ownFloor(name) ? { vsFloorReqPerSec: ratio(r.reqPerSec, floor.reqPerSec), vsFloorP99: ratio(r.latencyP99ms, floor.latencyP99ms) } : {};
  console.log(JSON.stringify({ bench: name, ...r, ...vs }));
}
