// Ingest throughput: POST /v1/events with 100-event batches (fresh event ids every request) against the Worker in
// Miniflare on loopback, measured with autocannon. `sessionsPerBatch` 1 is a browser's batch (one session); 10 is a
// server-side batch mixing visitors (sent with the server key, whose per-batch caps allow that), which costs one
// Durable Object RPC per session.
//   npm run build && npm run bench -- ingest [--connections 10] [--duration 10]
import autocannon from "autocannon";
import { BENCH_SERVER_KEY, createBenchSite, startWorker } from "./miniflare";

const KEY = "pk_bench_key_0000000001";

function batch(size: number, visitors: number, sessionsPerBatch: number): string {
  const now = Date.now();
  const events = [];
  const first = Math.floor(Math.random() * visitors);
  for (let i = 0; i < size; i++) {
    const v = (first + (i % sessionsPerBatch)) % visitors;
    events.push({
      id: crypto.randomUUID(),
      type: i % 10 === 9 ? "add_to_cart" : "view",
      anonymousId: `bench-visitor-${v}`,
      sessionId: `bench-session-${v}`,
      itemId: `item-${Math.floor(Math.random() * 500)}`,
      ts: now - (size - i) * 1000,
      context: { device: "mobile", url: "https://shop.example/p/1" },
    });
  }
  return JSON.stringify({ events });
}

export async function benchIngest(opts: { connections: number; duration: number; batchSize: number; sessionsPerBatch: number; visitors: number }): Promise<Record<string, number>> {
  const { url, mf } = await startWorker();
  try {
    await createBenchSite(url, KEY);
    // A browser's batch uses the public key; a batch mixing visitors comes from a backend, with the server key.
    const keyHeader = { "x-edgerec-key": opts.sessionsPerBatch > 1 ? BENCH_SERVER_KEY : KEY };
    // Warm-up: first requests compile code and create tables.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": "application/json", ...keyHeader }, body: batch(opts.batchSize, opts.visitors, opts.sessionsPerBatch) });
      const rejected = ((await res.json()) as { rejected?: unknown[] }).rejected?.length ?? -1;
      if (rejected !== 0) throw new Error(`ingest bench: warm-up batch answered ${res.status} with ${rejected} rejected`);
    }
    const result = await autocannon({
      url: `${url}/v1/events`,
      connections: opts.connections,
      duration: opts.duration,
      requests: [
        {
          method: "POST",
          headers: { "content-type": "application/json", ...keyHeader },
          setupRequest: (req) => ({ ...req, body: batch(opts.batchSize, opts.visitors, opts.sessionsPerBatch) }),
        },
      ],
    });
    const reqPerSec = result.requests.average;
    return {
      connections: opts.connections,
      batchSize: opts.batchSize,
      sessionsPerBatch: opts.sessionsPerBatch,
      visitors: opts.visitors,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      reqPerSec,
      eventsPerSec: Math.round(reqPerSec * opts.batchSize),
      latencyP50ms: result.latency.p50,
      latencyP99ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
    };
  } finally {
    await mf.dispose();
  }
}
