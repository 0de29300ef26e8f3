// Ingest throughput: POST /v1/events with 100-event batches (fresh event ids every request) against the Worker in
// Miniflare on loopback, measured with autocannon (bench/run.ts reads it against the `floor` of the same invocation),
// and the queue consumer's drain rate (events/s it stores while and after the load runs).
// `sessionsPerBatch` 1 is a browser's batch (one session); 10 is a server-side batch mixing visitors (sent with the
// server key, whose per-batch caps allow that), which costs one Durable Object RPC per session.
// `consumer: false` (`ingest-accept`) leaves the consumer out of Miniflare: the request path alone (validation, the
// sessions' Durable Objects, the queue send), as production runs it, with the consumer in invocations of its own
// and D1 and R2 as separate services, where here all of them share workerd's one thread. Messages then wait in the
// queue, and no drain is measured (`ingest` measures it).
// `benchIngestLag` measures how long after the answer a visitor's profile shows the events (eventual consistency).
//   npm run build && npm run bench -- ingest [--connections 10] [--duration 10]
//   npm run build && npm run bench -- ingest-accept
//   npm run build && npm run bench -- ingest-lag
import autocannon from "autocannon";
import { freePort, profiling, startProfile } from "./cpu-profile";
import { BENCH_SERVER_KEY, createBenchSite, startWorker, type BenchDb } from "./miniflare";

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

async function storedEvents(db: BenchDb): Promise<number> {
  return (await db.prepare("SELECT COUNT(*) AS n FROM events WHERE site_id = 'bench'").first<{ n: number }>())!.n;
}

export async function benchIngest(opts: {
  connections: number;
  duration: number;
  batchSize: number;
  sessionsPerBatch: number;
  visitors: number;
  consumer?: boolean;
}): Promise<Record<string, number>> {
  const consumer = opts.consumer !== false;
  const inspectorPort = profiling ? await freePort() : undefined;
  const { url, mf } = await startWorker(undefined, { inspectorPort, consume: consumer });
  try {
    await createBenchSite(url, KEY);
    const db = await mf.getD1Database("DB");
    // A browser's batch uses the public key; a batch mixing visitors comes from a backend, with the server key.
    const keyHeader = { "x-edgerec-key": opts.sessionsPerBatch > 1 ? BENCH_SERVER_KEY : KEY };
    // Warm-up: first requests compile code and create tables.
    let sent = 0;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": "application/json", ...keyHeader }, body: batch(opts.batchSize, opts.visitors, opts.sessionsPerBatch) });
      const answer = (await res.json()) as { rejected?: unknown[]; accepted?: unknown[] };
      if (answer.rejected?.length !== 0) throw new Error(`ingest bench: warm-up batch answered ${res.status} with ${answer.rejected?.length ?? -1} rejected`);
      sent += answer.accepted?.length ?? 0;
    }
    // Start the load with the warm-up stored, so the drain figures count only the load's events.
    for (const deadline = Date.now() + 30_000; consumer && (await storedEvents(db)) < sent; ) {
      if (Date.now() > deadline) throw new Error("ingest bench: the warm-up never reached D1");
      await new Promise((r) => setTimeout(r, 50));
    }
    const start = performance.now();
    const stopProfile = inspectorPort !== undefined ? await startProfile(inspectorPort) : null;
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
    const loadEnd = performance.now();
    await stopProfile?.();
    const load = {
      connections: opts.connections,
      batchSize: opts.batchSize,
      sessionsPerBatch: opts.sessionsPerBatch,
      visitors: opts.visitors,
      consumer: consumer ? 1 : 0,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      reqPerSec: result.requests.average,
      eventsPerSec: Math.round(result.requests.average * opts.batchSize),
      latencyP50ms: result.latency.p50,
      latencyP99ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
    };
    if (!consumer) return load;
    const answered = result["2xx"] * opts.batchSize;
    const atLoadEnd = (await storedEvents(db)) - sent;
    // The consumer keeps going after the load: poll until it has stored every answered event, then until the count
    // stops growing (requests cut off at the load's end may still have been enqueued). The drain ends at the last
    // growth seen.
    let stored = atLoadEnd;
    let drained = loadEnd;
    for (const deadline = Date.now() + 300_000; ; ) {
      const now = (await storedEvents(db)) - sent;
      if (now > stored || stored < answered) {
        if (now > stored) drained = performance.now();
        stored = now;
        if (Date.now() > deadline) throw new Error(`ingest bench: ${answered - stored} events never reached D1`);
      } else if (performance.now() - drained > 5000) break; // quiet for over two batch windows: drained
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      ...load,
      // The consumer: events stored while the load ran, the backlog it left, and its rate from the load's start
      // until the backlog was empty (D1 and R2 written, the messages acknowledged).
      storedDuringLoad: atLoadEnd,
      backlogAtLoadEnd: stored - atLoadEnd,
      stored,
      drainSeconds: Number(((drained - start) / 1000).toFixed(1)),
      drainEventsPerSec: Math.round(stored / ((drained - start) / 1000)),
      drainEventsPerSecDuringLoad: Math.round(atLoadEnd / ((loadEnd - start) / 1000)),
    };
  } finally {
    await mf.dispose();
  }
}

/**
 * Profile read lag: one event for a fresh visitor, then GET /v1/users/:anonymousId polled until the profile counts
 * it. Sequential, with nothing else running: the queue's batch window (max_batch_timeout) is most of it.
 */
export async function benchIngestLag(opts: { samples: number }): Promise<Record<string, number>> {
  const { url, mf } = await startWorker();
  try {
    await createBenchSite(url, KEY);
    const lags: number[] = [];
    for (let i = 0; i < opts.samples; i++) {
      const anon = `lag-visitor-${i}-${crypto.randomUUID()}`;
      const event = { id: crypto.randomUUID(), type: "view", anonymousId: anon, sessionId: `lag-${i}`, itemId: "item-1", ts: Date.now() - 1000 };
      const res = await fetch(`${url}/v1/events?key=${KEY}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ events: [event] }) });
      if (res.status !== 200) throw new Error(`ingest-lag bench: POST answered ${res.status}`);
      const answered = performance.now();
      for (const deadline = Date.now() + 60_000; ; ) {
        const profile = await fetch(`${url}/v1/users/${anon}?key=${KEY}`);
        if (profile.status === 200 && ((await profile.json()) as { eventCount?: number }).eventCount === 1) break;
        if (Date.now() > deadline) throw new Error("ingest-lag bench: the profile never showed the event");
        await new Promise((r) => setTimeout(r, 5));
      }
      lags.push(performance.now() - answered);
    }
    lags.sort((a, b) => a - b);
    const at = (q: number) => Math.round(lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!);
    return { samples: lags.length, lagP50ms: at(0.5), lagP90ms: at(0.9), lagMaxMs: Math.round(lags[lags.length - 1]!) };
  } finally {
    await mf.dispose();
  }
}
