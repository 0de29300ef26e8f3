import { createBenchSite, startWorker } from "./miniflare";
const { url, mf } = await startWorker();
await createBenchSite(url, "pk_bench_key_0000000001");
const batch = (sid: string) => JSON.stringify({ events: Array.from({ length: 100 }, (_, i) => ({ id: crypto.randomUUID(), type: "view", anonymousId: `v-${sid}`, sessionId: sid, itemId: `item-${Math.floor(Math.random() * 500)}`, ts: Date.now() - 1000 + i })) });
for (const sid of ["a", "a", "a", "a", "a", "a", "b", "c", "d"]) {
  const t = performance.now();
  const r = await fetch(`${url}/v1/events?key=pk_bench_key_0000000001`, { method: "POST", headers: { "content-type": "application/json" }, body: batch(sid) });
  await r.text();
  console.log(sid, r.status, Math.round(performance.now() - t), "ms");
}
await mf.dispose();
