// `npm run bench -- train-scale` (or `npx tsx bench/train-scale.ts [--json] [1000000 ...]`): the retrain's pure
// trainers — the session statistics and every personal family (item-CF, content, graph) — fed a streamed synthetic
// shop of 1M, 3M and 10M events, each in its own child process, with time, peak live memory and artifact size; and
// the daily re-ranker fit (src/models/train-rerank.ts), in its own passes after them, as the retrain runs it.
// Memory should stay flat in the number of events (it follows the catalog and its pairs) and time grow linearly.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { encodeFamilies, encodeShards } from "../src/models/shards";
import { encodeStats } from "../src/models/stats-codec";
import { PersonalFamiliesTrainer } from "../src/models/personal-families";
import { feedRerank, RerankFitTrainer } from "../src/models/train-rerank";
import { RERANK_HOLDOUT_MS, RERANK_MAX_HELDOUT_SESSIONS } from "../src/config/limits";
import { TRENDING_WINDOW } from "../src/storage/trending-sql";
import { SessionModelTrainer } from "../src/recommend/trainer";
import { memorySampler, mb } from "./memory";
import { catalog, DEFAULT_SHOP, visitors } from "./synthetic-events";

const SIZES = [1_000_000, 3_000_000, 10_000_000];
/** An isolate's memory limit: the retrain runs in one. */
const ISOLATE_MB = 128;


type Row = Record<string, number | string>;

/**
 * The retrain's `now` for the re-ranker's held-out day. The synthetic clock runs visitor after visitor, about an hour
 * a session, so its last calendar day holds only a few dozen sessions; a real shop's day holds thousands. The day is
 * placed so that it holds the newest RERANK_MAX_HELDOUT_SESSIONS sessions (the fit's cap): the head copy then holds
 * every other session, the largest fit a retrain makes.
 */
function heldOutNow(events: number): number {
  const ends: number[] = [];
  for (const v of visitors(events)) {
    let i = 0;
    for (const s of v.sessions) {
      i += s.length;
      ends.push(v.rows[i - 1]!.ts);
    }
    if (ends.length > 2 * RERANK_MAX_HELDOUT_SESSIONS) ends.splice(0, ends.length - RERANK_MAX_HELDOUT_SESSIONS);
  }
  const cut = ends[Math.max(0, ends.length - RERANK_MAX_HELDOUT_SESSIONS)] ?? 0;
  return cut + RERANK_HOLDOUT_MS;
}

function measure(events: number): Row {
  const now = heldOutNow(events);
  const mem = memorySampler();
  const sample = mem.sample;
  const every = 250_000 * Math.max(1, Math.round(events / 2_000_000));
  const progress = (phase: string, n: number) => process.stderr.write(`  ${phase}: ${(n / 1e6).toFixed(2)}M events, peak live ${mb(mem.peakLiveBytes)} MB\n`);

  // Phase 1, as the retrain does: count sessions, build and encode the session artifact and its statistics, then
  // let the statistics go before the personal families are trained.
  const t0 = performance.now();
  let session: SessionModelTrainer | undefined = new SessionModelTrainer();
  let n = 0;
  let profiles = 0;
  for (const v of visitors(events)) {
    for (const s of v.sessions) session.pushSession(s);
    n += v.rows.length;
    profiles++;
    if (n % every < v.rows.length) {
      sample();
      progress("sessions", n);
    }
  }
  sample();
  const t1 = performance.now();
  // As countSessions does: only the encoded artifact, the item count and the popularity list outlive the build.
  const { sessionArtifact, items, popular } = (() => {
    const model = session!.build();
    return { sessionArtifact: encodeShards(model), items: model.items.length, popular: model.popular.slice(0, TRENDING_WINDOW.limit) };
  })();
  const statsBytes = encodeStats(session.stats()).byteLength;
  const size = session.size;
  const pruned = session.pruned;
  sample();
  session = undefined;
  const t2 = performance.now();

  // Phase 2: the catalog, then every profile's history rows (one profile's rows together), then one build.
  let personal: PersonalFamiliesTrainer | undefined = new PersonalFamiliesTrainer();
  for (const item of catalog()) personal.pushCatalog(item);
  let rows = 0;
  for (const v of visitors(events)) {
    for (const r of v.rows) personal.pushHistory(r);
    rows += v.rows.length;
    if (rows % every < v.rows.length) {
      sample();
      progress("histories", rows);
    }
  }
  sample();
  const t3 = performance.now();
  let families: ReturnType<PersonalFamiliesTrainer["build"]> | undefined = personal.build();
  personal = undefined;
  sample();
  const personalArtifact = encodeFamilies(families.model);
  families = undefined;
  sample();
  const t4 = performance.now();

  // Phase 3, on a refit day (src/models/train-personal.ts): the re-ranker's head copy, in its own passes over the
  // history, while the session and personal artifacts wait to be written.
  const trending = popular;
  // Sampled inside each pass too, as phases 1 and 2 are: a pass's trainer may peak before its end.
  const history = function* () {
    let seen = 0;
    for (const v of visitors(events)) {
      yield* v.rows;
      seen += v.rows.length;
      if (seen % every < v.rows.length) sample();
    }
  };
  let step = 0;
  const probe = () => {
    sample();
    // The fit probes after each pass's reading (its trainer full, not yet built) and after the rows.
    const phase = ["head copy's sessions read", "head copy's families read", "lists built and held-out rows made"][step++ % 3];
    process.stderr.write(`  re-ranker fit: ${phase} at ${Math.round((performance.now() - t4) / 1000)} s, peak live ${mb(mem.peakLiveBytes)} MB\n`);
  };
  const fit = feedRerank(new RerankFitTrainer(now, trending, { probe }), catalog(), history).fit();
  sample();
  const t5 = performance.now();
  return {
    events: n,
    profiles,
    items,
    afterPairs: size.afterPairs,
    withPairs: size.withPairs,
    prunedPairs: pruned,
    sessionCountSeconds: Math.round(t1 - t0) / 1000,
    sessionBuildSeconds: Math.round(t2 - t1) / 1000,
    historyCountSeconds: Math.round(t3 - t2) / 1000,
    familiesBuildSeconds: Math.round(t4 - t3) / 1000,
    rerankFitSeconds: Math.round(t5 - t4) / 1000,
    rerankExamples: fit?.examples ?? 0,
    totalSeconds: Math.round(t5 - t0) / 1000,
    peakLiveMB: mem.exact ? mb(mem.peakLiveBytes) : "n/a",
    peakRssMB: mb(mem.peakRssBytes),
    statsKB: Math.round(statsBytes / 1024),
    bytesPerItem: Math.round((sessionArtifact.meta.totalBytes + personalArtifact.meta.totalBytes) / Math.max(1, items)),
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: "boolean", default: false }, child: { type: "string" } } });
  if (values.child !== undefined) {
    process.stdout.write(JSON.stringify(measure(Number(values.child))) + "\n");
    return;
  }
  const sizes = positionals.length > 0 ? positionals.map(Number) : SIZES;
  process.stderr.write(`bench train-scale: ${DEFAULT_SHOP.items} items in ${DEFAULT_SHOP.categories} categories, ~${DEFAULT_SHOP.eventsPerVisitor} events a visitor\n`);
  const rows: Row[] = [];
  for (const size of sizes) {
    process.stderr.write(`bench train-scale: ${size} events ...\n`);
    const child = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), "--child", String(size)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (child.status !== 0) throw new Error(`${size} events failed`);
    const row = JSON.parse(child.stdout) as Row;
    row.secondsPerMillion = Math.round((Number(row.totalSeconds) / (Number(row.events) / 1e6)) * 100) / 100;
    row.underIsolateLimit = typeof row.peakLiveMB === "number" && row.peakLiveMB < ISOLATE_MB ? "yes" : "no";
    rows.push(row);
    if (values.json) process.stdout.write(JSON.stringify({ bench: "train-scale", ...row }) + "\n");
  }
  if (!values.json) {
    const keys = Object.keys(rows[0] ?? {});
    const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
    process.stdout.write([line(keys), ...rows.map((r) => line(keys.map((k) => String(r[k]))))].join("\n") + "\n");
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
