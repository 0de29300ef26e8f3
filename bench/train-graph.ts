// `npx tsx --expose-gc bench/train-graph.ts [--jd]`: the graph source's training time (graph, walks + SGNS,
// neighbour lists), peak live memory and what its lists would add to the artifact, on yoochoose-100k train.
import { fileURLToPath } from "node:url";
import { encodeFamilies } from "../src/models/shards";
import { DEFAULT_EMBEDDING_CONFIG, ItemGraphAccumulator, neighbourLists, trainEmbeddings, walksPerNodeFor } from "../src/recommend/item-embeddings";
import { readEventTable } from "../scripts/eval/read-table";
import { groupSessions } from "../scripts/eval/sessions";
import { memorySampler, mb } from "./memory";

const DATA = process.env.EDGEREC_DATA ?? fileURLToPath(new URL("../../shared/data", import.meta.url));
async function main(): Promise<void> {
  const sessions = groupSessions(await readEventTable(`${DATA}/yoochoose-100k/train.tsv`));
  const mem = memorySampler();
  const sample = mem.sample;
  const c = DEFAULT_EMBEDDING_CONFIG;
  const t0 = performance.now();
  const graph = new ItemGraphAccumulator(c.edgeSteps);
  for (const s of sessions) graph.pushSession(s.items);
  sample();
  const t1 = performance.now();
  const embeddings = trainEmbeddings(graph, c, (line) => {
    process.stderr.write(`${line}\n`);
    sample();
  });
  const t2 = performance.now();
  const n = graph.vocab.size;
  const lists = neighbourLists(embeddings, n, c);
  sample();
  const t3 = performance.now();
  const empty = { offsets: new Uint32Array(n + 1), neighbours: new Uint32Array(0), scores: new Float32Array(0) };
  const items = graph.items;
  // What a "graph" family adds to an artifact: the family with its lists minus the same items with empty lists.
  const bytes = encodeFamilies({ items, families: { graph: lists }, popular: [] }).meta.totalBytes - encodeFamilies({ items, families: { graph: empty }, popular: [] }).meta.totalBytes;
  const row = {
    items: n,
    edges: graph.edges.size,
    walkTokens: c.epochs * walksPerNodeFor(n, c) * n * c.walkLength,
    graphSeconds: Math.round(t1 - t0) / 1000,
    sgnsSeconds: Math.round(t2 - t1) / 1000,
    neighbourSeconds: Math.round(t3 - t2) / 1000,
    peakLiveMB: mem.exact ? mb(mem.peakLiveBytes) : "n/a (run with --expose-gc)",
    peakRssMB: mb(mem.peakRssBytes),
    listEntries: lists.neighbours.length,
    listBytes: bytes,
    bytesPerItem: Math.round(bytes / n),
  };
  process.stdout.write(JSON.stringify(row) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
