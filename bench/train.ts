// `npx tsx bench/train.ts [--json] [dataset ...]`: session-model training time, peak memory and artifact size per
// shared dataset. Each dataset runs in its own child process so peak RSS is that dataset's alone.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { encodeShards } from "../src/models/shards";
import { SessionModelTrainer } from "../src/recommend/trainer";
import { readJdSessions } from "../scripts/eval/read-jd";
import { readEventTable } from "../scripts/eval/read-table";
import { groupSessions, type Session } from "../scripts/eval/sessions";
import { memorySampler, mb } from "./memory";

// The shared datasets sit beside the project (never inside it); EDGEREC_DATA overrides.
const DATA = process.env.EDGEREC_DATA ?? fileURLToPath(new URL("../../shared/data", import.meta.url));
const SYNTHETIC_EVENTS = 1_000_000;

const DATASETS: Record<string, () => Promise<Session[]>> = {
  "yoochoose-100k": async () => groupSessions(await readEventTable(`${DATA}/yoochoose-100k/train.tsv`)),
  "jd-appliances": () => readJdSessions(`${DATA}/jd-micro-behaviors/JD_Applicances_sample`),
  "jd-computers": () => readJdSessions(`${DATA}/jd-micro-behaviors/JD_Computers_sample`),
  // Each user's ratings in time order as one long "session": a stress case for pair counting.
  "movielens-small": async () =>
    groupSessions(await readEventTable(`${DATA}/movielens-latest-small/ratings.csv`, { session: "userId", item: "movieId", time: "timestamp" })),
  // ~1M events: yoochoose train sessions replayed with a fresh item namespace per replay (about 19 replays).
  "synthetic-1m": async () => {
    const base = groupSessions(await readEventTable(`${DATA}/yoochoose-100k/train.tsv`));
    const per = base.reduce((n, s) => n + s.items.length, 0);
    const out: Session[] = [];
    for (let r = 0; r * per < SYNTHETIC_EVENTS; r++) {
      for (const s of base) out.push({ id: `${r}:${s.id}`, items: s.items.map((it) => `${it}~${r}`), times: s.times });
    }
    return out;
  },
};

type Figures = Record<string, number | string>;

async function measure(name: string, load: () => Promise<Session[]>): Promise<Figures> {
  const sessions = await load();
  const events = sessions.reduce((n, s) => n + s.items.length, 0);
  // Live memory is counted above what is held once the input is loaded (production streams its input in chunks).
  const mem = memorySampler();
  const sample = mem.sample;
  const t0 = performance.now();
  let trainer: SessionModelTrainer | undefined = new SessionModelTrainer();
  sessions.forEach((s, i) => {
    trainer?.pushSession(s.items);
    if (i % 5000 === 0) sample();
  });
  sample();
  const t1 = performance.now();
  const model = trainer.build();
  const pairs = { after: trainer.size.afterPairs, with: trainer.size.withPairs };
  sample();
  trainer = undefined; // the cron drops the statistics before encoding
  const t2 = performance.now();
  const artifact = encodeShards(model);
  sample();
  const t3 = performance.now();
  return {
    dataset: name,
    sessions: sessions.length,
    events,
    items: model.items.length,
    afterPairs: pairs.after,
    withPairs: pairs.with,
    countSeconds: Math.round(t1 - t0) / 1000,
    buildSeconds: Math.round(t2 - t1) / 1000,
    encodeSeconds: Math.round(t3 - t2) / 1000,
    peakLiveMB: mem.exact ? mb(mem.peakLiveBytes) : "n/a",
    peakRssMB: mb(mem.peakRssBytes),
    rssGrowthMB: mb(mem.peakRssBytes - mem.baseRssBytes),
    shards: artifact.meta.nShards,
    maxShardKB: Math.round(Math.max(...artifact.meta.shardBytes) / 1024),
    artifactKB: Math.round(artifact.meta.totalBytes / 1024),
    bytesPerItem: Math.round(artifact.meta.totalBytes / Math.max(1, model.items.length)),
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, child: { type: "string" } },
  });
  if (values.child !== undefined) {
    const load = DATASETS[values.child];
    if (!load) throw new Error(`unknown dataset ${values.child}`);
    process.stdout.write(JSON.stringify(await measure(values.child, load)) + "\n");
    return;
  }
  const names = positionals.length ? positionals : Object.keys(DATASETS);
  const rows: Figures[] = [];
  for (const name of names) {
    if (!DATASETS[name]) throw new Error(`unknown dataset ${name}; known: ${Object.keys(DATASETS).join(", ")}`);
    process.stderr.write(`bench train: ${name} ...\n`);
    const child = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), "--child", name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (child.status !== 0) throw new Error(`${name} failed`);
    const row = JSON.parse(child.stdout) as Figures;
    rows.push(row);
    if (values.json) process.stdout.write(JSON.stringify({ bench: "train", ...row }) + "\n");
  }
  if (!values.json) {
    const keys = Object.keys(rows[0] ?? {});
    const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    process.stdout.write([line(keys), ...rows.map((r) => line(keys.map((k) => String(r[k]))))].join("\n") + "\n");
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
