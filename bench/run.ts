// `npm run bench [-- name ...]`: runs the named benchmarks (default: all) and prints their figures as JSON lines.
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { benchIngest, benchIngestLag } from "./ingest";
import { benchHealth } from "./health";
import { benchNext } from "./next";
import { benchTrending } from "./trending";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { connections: { type: "string", default: "10" }, duration: { type: "string", default: "10" } },
});
const connections = Number(values.connections);
const duration = Number(values.duration);

const benches: Record<string, () => Promise<Record<string, number | string>>> = {
  // The floor: Hono + Miniflare with no storage, to read the other figures as ratios on a noisy machine.
  health: () => benchHealth({ connections, duration }),
  ingest: () => benchIngest({ connections, duration, batchSize: 100, sessionsPerBatch: 1, visitors: 500 }),
  // How long after the answer a profile read shows the events (the ingest queue's eventual consistency).
  "ingest-lag": () => benchIngestLag({ samples: 20 }),
  "ingest-mixed": () => benchIngest({ connections, duration, batchSize: 100, sessionsPerBatch: 10, visitors: 500 }),
  next: () => benchNext({ connections, duration, path: "next" }),
  recommendations: () => benchNext({ connections, duration, path: "recommendations" }),
  "personal-warm": () => benchNext({ connections, duration, path: "personal-warm" }),
  "personal-cold": () => benchNext({ connections, duration, path: "personal-cold" }),
  // The trending query on a week of a mid-size shop (no built Worker needed: D1 only).
  trending: () => benchTrending({ events: 300_000, visitors: 30_000, items: 5_000 }),
  // Training runs per dataset in child processes (clean peak-memory figures); it prints its own table.
  train: async () => {
    const r = spawnSync("tsx", ["bench/train.ts"], { stdio: "inherit" });
    return { exitCode: r.status ?? -1 };
  },
};

const names = positionals.length > 0 ? positionals : Object.keys(benches);
for (const name of names) {
  const run = benches[name];
  if (!run) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(", ")}`);
    process.exit(2);
  }
  process.stderr.write(`bench: ${name} ...\n`);
  console.log(JSON.stringify({ bench: name, ...(await run()) }));
}
