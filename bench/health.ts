// Baseline: GET /health (one trivial D1 query) on the same Miniflare setup as the other load benchmarks.
import autocannon from "autocannon";
import { startWorker } from "./miniflare";

export async function benchHealth(opts: { connections: number; duration: number }): Promise<Record<string, number>> {
  const { url, mf } = await startWorker();
  try {
    for (let i = 0; i < 50; i++) await (await fetch(`${url}/health`)).arrayBuffer();
    const result = await autocannon({ url: `${url}/health`, connections: opts.connections, duration: opts.duration });
    return {
      connections: opts.connections,
      requests: result.requests.total,
      non2xx: result.non2xx,
      reqPerSec: result.requests.average,
      latencyP50ms: result.latency.p50,
      latencyP99ms: result.latency.p99,
    };
  } finally {
    await mf.dispose();
  }
}
