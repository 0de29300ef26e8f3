// BENCH_PROFILE=1: a V8 CPU profile of the Worker's isolate during a load run, through Miniflare's inspector, printed
// as the functions with the most self time (where a request's CPU goes; the figures of the run itself then include
// the profiler's overhead, so a profiled run is for reading, never for quoting). BENCH_PROFILE=alloc: V8's sampling
// heap profiler instead, printed as the functions allocating the most (what the collector's pauses are made of).
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export const profiling = process.env.BENCH_PROFILE === "1" || process.env.BENCH_PROFILE === "alloc";
const allocations = process.env.BENCH_PROFILE === "alloc";

/** V8's sampling heap profile: a call tree whose nodes carry the bytes allocated by that function itself. */
type AllocNode = { callFrame: ProfileNode["callFrame"]; selfSize: number; children: AllocNode[] };

/** A free loopback port for the inspector. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Connects to the `edgerec` worker's inspector and starts the profiler; the returned stop prints the top functions. */
export async function startProfile(inspectorPort: number, top = 40): Promise<() => Promise<void>> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { id: string; webSocketDebuggerUrl: string; title?: string }[];
  const target = targets.find((t) => t.webSocketDebuggerUrl.endsWith("/edgerec")) ?? targets[0];
  if (!target) throw new Error("no inspector target");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let nextId = 1;
  const pending = new Map<number, (r: unknown) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  };
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  if (allocations) {
    await send("HeapProfiler.enable");
    // One sample per 16 KiB allocated on average (V8's default is 32 KiB): a 20 s load gives tens of thousands.
    // Collected objects too: by default the profile keeps only what is still live when sampling stops.
    await send("HeapProfiler.startSampling", { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return async () => {
      const { profile } = (await send("HeapProfiler.stopSampling")) as { profile: { head: AllocNode } };
      ws.close();
      if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile));
      printAllocations(profile.head, top);
    };
  }
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  return async () => {
    const { profile } = (await send("Profiler.stop")) as { profile: Profile };
    // The isolate's heap at the end of the load: what a major collection (a busy stretch below) has to walk.
    const heap = (await send("Runtime.getHeapUsage")) as { usedSize?: number; totalSize?: number } | undefined;
    if (heap?.usedSize !== undefined) process.stderr.write(`heap: ${(heap.usedSize / 2 ** 20).toFixed(1)} MiB used of ${((heap.totalSize ?? 0) / 2 ** 20).toFixed(1)} MiB\n`);
    ws.close();
    // BENCH_PROFILE_OUT=file.cpuprofile: the raw profile too (Chrome DevTools opens it; scripts can walk its stacks).
    if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile));
    printTop(profile, top);
    printInclusive(profile, top);
    printStalls(profile);
  };
}

/**
 * The longest stretches without an idle sample (the isolate busy: every request waiting for it queues behind), each
 * with the functions that were on the stack for most of it: what a tail latency is made of.
 */
function printStalls(profile: Profile, count = 5, minMs = 40): void {
  const { byId, parent } = tree(profile);
  const stretches: { start: number; end: number; ms: number }[] = [];
  let start = -1;
  let ms = 0;
  for (let i = 0; i <= profile.samples.length; i++) {
    const idle = i === profile.samples.length || byId.get(profile.samples[i]!)?.callFrame.functionName === "(idle)";
    if (!idle) {
      if (start < 0) (start = i), (ms = 0);
      ms += (profile.timeDeltas[i] ?? 0) / 1000;
    } else if (start >= 0) {
      if (ms >= minMs) stretches.push({ start, end: i, ms });
      start = -1;
    }
  }
  stretches.sort((a, b) => b.ms - a.ms);
  process.stderr.write(`busy stretches of ${minMs} ms or more: ${stretches.length}\n`);
  for (const st of stretches.slice(0, count)) {
    const inclusive = new Map<string, number>();
    for (let i = st.start; i < st.end; i++) {
      const seen = new Set<string>();
      for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
        const name = nameOf(byId.get(id)!);
        if (seen.has(name)) continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      }
    }
    const rows = [...inclusive].filter(([n]) => !n.startsWith("(root)")).sort((a, b) => b[1] - a[1]).slice(0, 12);
    process.stderr.write(`  ${st.ms.toFixed(0)} ms: ${rows.map(([n, t]) => `${n} ${t.toFixed(0)}`).join(" | ")}\n`);
  }
}

/** The profile's nodes by id, and each node's parent (the caller). */
function tree(profile: Profile): { byId: Map<number, ProfileNode>; parent: Map<number, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { byId, parent };
}

/** A function as the tables print it: name, file, line. */
function nameOf(n: ProfileNode): string {
  return `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
}

/** Each function's inclusive share (itself and what it calls, counted once per sample): what a code path costs. */
function printInclusive(profile: Profile, top: number): void {
  const { byId, parent } = tree(profile);
  const inclusive = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = nameOf(byId.get(id)!);
      if (seen.has(name) || name.startsWith("(root)")) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  }
  process.stderr.write(`inclusive (itself and its callees):\n`);
  for (const [name, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stderr.write(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}\n`);
}

function printTop(profile: Profile, top: number): void {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byName = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const name = nameOf(n);
    byName.set(name, (byName.get(name) ?? 0) + t);
  }
  const rows = [...byName].sort((a, b) => b[1] - a[1]).slice(0, top);
  process.stderr.write(`cpu profile: ${(total / 1000).toFixed(0)} ms sampled\n`);
  for (const [name, t] of rows) process.stderr.write(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}\n`);
}

/**
 * The sampled allocations: total bytes (divide by the run's requests for bytes per request), then the functions by
 * bytes they allocate themselves and by bytes allocated under them (each function counted once per stack).
 */
function printAllocations(head: AllocNode, top: number): void {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const walk = (n: AllocNode, stack: readonly string[]): number => {
    const name = nameOf({ id: 0, callFrame: n.callFrame });
    const on = stack.includes(name) ? stack : [...stack, name];
    let bytes = n.selfSize;
    self.set(name, (self.get(name) ?? 0) + n.selfSize);
    for (const c of n.children) bytes += walk(c, on);
    if (!stack.includes(name) && !name.startsWith("(root)")) inclusive.set(name, (inclusive.get(name) ?? 0) + bytes);
    return bytes;
  };
  const total = walk(head, []);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  process.stderr.write(`allocations sampled: ${mib(total)}\nby the function itself:\n`);
  for (const [name, b] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stderr.write(`${((100 * b) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  process.stderr.write(`inclusive (itself and its callees):\n`);
  for (const [name, b] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stderr.write(`${((100 * b) / total).toFixed(1).padStart(5)}%  ${name}\n`);
}
