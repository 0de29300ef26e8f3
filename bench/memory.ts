// Peak memory of a training benchmark: live memory (heap + array buffers after a full GC, above the baseline when
// the sampler was made) and process RSS. Timers cannot fire inside synchronous training, so callers sample from
// inside their loops. Live figures need `--expose-gc` (the benchmarks spawn their children with it).
const forceGc = (globalThis as { gc?: () => void }).gc;

export type MemorySampler = { sample: () => void; readonly peakLiveBytes: number; readonly peakRssBytes: number; readonly baseRssBytes: number; readonly exact: boolean };

export function memorySampler(): MemorySampler {
  forceGc?.();
  const base = process.memoryUsage();
  let peakLive = 0;
  let peakRss = base.rss;
  return {
    sample() {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      forceGc?.();
      const m = process.memoryUsage();
      peakLive = Math.max(peakLive, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    },
    get peakLiveBytes() {
      return peakLive;
    },
    get peakRssBytes() {
      return peakRss;
    },
    baseRssBytes: base.rss,
    exact: forceGc !== undefined,
  };
}

export const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
