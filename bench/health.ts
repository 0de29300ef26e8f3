// Fixed-path load benchmarks on the same Miniflare setup as the others: `floor`, an unknown path answered by Hono's
// 404 (no storage touched: what the runtime and the middleware cost), and `health`, one trivial D1 query.
import autocannon from "autocannon";
import { startWorker } from "./miniflare";

/** No route matches it, so the app's notFound answers without reading D1, KV or a Durable Object. */
export const FLOOR_PATH = "/bench-floor";

export async function benchPath(path: string, opts: { connections: number; duration: number }): Promise<Record<string, number>> {
  const { url, mf } = await startWorker();
  try {
    for (let i = 0; i < 50; i++) await (await fetch(`${url}${path}`)).arrayBuffer();
    const result = await autocannon({ url: `${url}${path}`, connections: opts.connections, duration: opts.duration });
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
