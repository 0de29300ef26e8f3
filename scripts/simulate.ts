// `npm run simulate`: the whole loop of issue 10 through the Worker's real HTTP API. Starts the built Worker in
// Miniflare (bench/miniflare.ts), seeds the demo shop, lets synthetic shoppers with a hidden taste build history,
// retrains, runs an experiment of the served model against the trending-only control with product-page traffic
// (click model in scripts/simulate/visitors.ts), prints GET /admin/experiments/:id/results, then ships a random-list
// model version as a canary and lets the guardrail roll it back (scripts/simulate/canary.ts).
//   npm run build && npm run simulate -- [--json] [--shoppers 400] [--history 600] [--pages 3] [--seed 11]
import { parseArgs } from "node:util";
import { BENCH_ADMIN_TOKEN, startWorker, type BenchDb } from "../bench/miniflare";
import type { ExperimentResults } from "../src/recommend/experiment-results";
import { seed as seedDemo } from "./seed";
import { demoCatalog } from "./demo/generator";
import { admin, poll, runPool, SITE, type Api, type SimulationContext } from "./simulate/api";
import { CANARY_SLOT, runCanaryScenario } from "./simulate/canary";
import { browseHistory, visit, type VisitCounts } from "./simulate/traffic";
import { makeShoppers, shopOf } from "./simulate/visitors";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    shoppers: { type: "string", default: "400" },
    history: { type: "string", default: "600" },
    pages: { type: "string", default: "3" },
    k: { type: "string", default: "6" },
    seed: { type: "string", default: "11" },
    concurrency: { type: "string", default: "8" },
  },
});
const N = Number(values.shoppers);
const HISTORY = Number(values.history);
const PAGES = Number(values.pages);
const K = Number(values.k);
const SEED = Number(values.seed);
const CONCURRENCY = Number(values.concurrency);
const SLOT = "product";
const EXPERIMENT = "sim-model";

const started = Date.now();
const log = (s: string) => process.stderr.write(s);
const phase = (name: string) => log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${name}\n`);
const progress = (label: string, done: number, total: number) => {
  if (done === total || done % 50 === 0) log(`\r${label}: ${done}/${total} (${Math.round((100 * done) / total)}%)${done === total ? "\n" : ""}`);
};

type Results = ExperimentResults & { status: string };

/** Ingest may count rollups after it answers (a queue): poll until the results hold every impression sent. */
async function settledResults(api: Api, impressions: number): Promise<Results> {
  const counted = (r: Results) => r.variants.reduce((s, v) => s + v.impressions, 0);
  const { value, settled } = await poll(() => admin<Results>(api, "GET", `/admin/experiments/${EXPERIMENT}/results?site=${SITE}`), (r) => counted(r) >= impressions);
  if (!settled) log(`results: only ${counted(value)} of ${impressions} impressions counted after 120 s\n`);
  return value;
}

/** Polls the site's stored event count until it reaches `expected` (bounded), read from the Worker's D1 directly. */
async function settledEventLog(db: BenchDb, expected: number): Promise<void> {
  const stored = async () => (await db.prepare("SELECT COUNT(*) AS n FROM events WHERE site_id = ?").bind(SITE).first<{ n: number }>())?.n ?? 0;
  const { value, settled } = await poll(stored, (n) => n >= expected);
  if (!settled) log(`history: only ${value} of ${expected} events stored after 120 s; training on what is there\n`);
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

// The Worker's own log lines (retrain progress, …) go to stderr with --verbose, else only its warnings and errors.
const { url, mf } = await startWorker(undefined, {
  onLog: (l) => {
    if (values.verbose || l.level === "warn" || l.level === "error") log(`${l.message}\n`);
  },
});
try {
  const api: Api = { baseUrl: url, adminToken: BENCH_ADMIN_TOKEN };
  log(`simulate: Worker at ${url}\n`);
  // The demo site and its catalog (no generated history: the shoppers below make it).
  await seedDemo({ baseUrl: url, adminToken: BENCH_ADMIN_TOKEN, visitors: 0, train: false, log });
  phase("seeded");
  const shop = shopOf(demoCatalog(), SEED);
  // History shoppers, then experiment shoppers: the second half of the history ones come back (they have a
  // profile), the rest are new.
  const shoppers = makeShoppers(shop, Math.ceil(HISTORY / 2) + N, SEED);
  const ctx: SimulationContext = { api, shop, shoppers, seed: SEED, log };

  const historyShoppers = shoppers.slice(0, HISTORY);
  const now = Date.now();
  let historyEvents = 0;
  await runPool(
    historyShoppers,
    CONCURRENCY,
    async (s, i) => {
      historyEvents += await browseHistory(api, shop, s, SEED * 1_000_003 + i, now - 3_600_000 - i * 1_000);
    },
    (d) => progress("history", d, historyShoppers.length),
  );
  // Training reads D1: with ingest behind a queue, accepted events land there a little later. Wait until all have.
  await settledEventLog(await mf.getD1Database("DB"), historyEvents);

  phase("history sent");
  const trained = await admin<{ version: { version: string; itemCount: number } }>(api, "POST", `/admin/retrain?site=${SITE}`);
  log(`retrain: model ${trained.version.version} (${trained.version.itemCount} items)\n`);

  await admin(api, "PUT", `/admin/experiments/${EXPERIMENT}?site=${SITE}`, {
    slots: [SLOT],
    variants: [
      { name: "control", weight: 1, change: { control: true } },
      { name: "model", weight: 1, change: {} },
    ],
  });
  await admin(api, "POST", `/admin/experiments/${EXPERIMENT}/start?site=${SITE}`);
  log(`experiment ${EXPERIMENT}: control (trending only) against the served model, 50/50, slot ${SLOT}\n`);

  const visitors = shoppers.slice(Math.floor(HISTORY / 2), Math.floor(HISTORY / 2) + N);
  const sent: VisitCounts = { lists: 0, impressions: 0, clicks: 0, carts: 0, purchases: 0 };
  await runPool(
    visitors,
    CONCURRENCY,
    async (s, i) => {
      const c = await visit(api, shop, s, { seed: SEED * 7_000_003 + i, pages: PAGES, slot: SLOT, k: K });
      for (const key of Object.keys(sent) as (keyof VisitCounts)[]) sent[key] += c[key];
    },
    (d) => progress("experiment traffic", d, visitors.length),
  );
  phase("experiment traffic sent");
  log(`sent: ${sent.lists} lists, ${sent.impressions} impressions, ${sent.clicks} clicks, ${sent.carts} carts, ${sent.purchases} purchases\n`);

  const r = await settledResults(api, sent.impressions);
  phase("results settled");
  log(`canary: a random-list model version on slot ${CANARY_SLOT}, through POST /admin/models/${SITE}/canary and /canary/evaluate\n`);
  const canary = await runCanaryScenario(ctx, { pages: PAGES, k: K, concurrency: CONCURRENCY });
  phase(`canary ${canary.decision}`);
  const treatment = r.variants.find((v) => !v.control)!;
  const control = r.variants.find((v) => v.control)!;
  const vs = treatment.vsControl!;
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const targetMet = vs.ctr.pValue < 0.01 && vs.ctr.difference.low > 0 && (vs.ctr.lift?.low ?? 0) > 0 && !r.srm.mismatch && canary.decision === "rolled_back";

  if (values.json) {
    const variant = (v: (typeof r.variants)[number]) => ({
      name: v.name,
      control: v.control,
      listsServed: v.listsServed,
      impressions: v.impressions,
      clicks: v.clicks,
      purchases: v.purchases,
      revenue: v.revenue,
      ctr: v.ctr,
      conversion: v.conversion,
      revenuePerImpression: v.revenuePerImpression,
    });
    const out = {
      experiment: EXPERIMENT,
      verdict: r.verdict,
      winner: r.winner,
      variants: r.variants.map(variant),
      ctr: { lift: vs.ctr.lift, difference: vs.ctr.difference, pValue: vs.ctr.pValue, significant: vs.ctr.significant },
      conversion: { lift: vs.conversion.lift, pValue: vs.conversion.pValue },
      revenuePerImpression: { lift: vs.revenuePerImpression.lift, pValue: vs.revenuePerImpression.pValue },
      srm: { pValue: r.srm.pValue, chiSquare: r.srm.chiSquare, mismatch: r.srm.mismatch, observed: r.srm.observed },
      canary,
      targetMet,
      shoppers: { history: HISTORY, experiment: N, pagesPerVisit: PAGES, k: K, seed: SEED },
      sent,
      seconds,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    const row = (v: (typeof r.variants)[number]) =>
      `  ${v.name.padEnd(8)} lists ${String(v.listsServed).padStart(6)}  impressions ${String(v.impressions).padStart(7)}  clicks ${String(v.clicks).padStart(6)}  ` +
      `CTR ${pct(v.ctr.value)} [${pct(v.ctr.low)}, ${pct(v.ctr.high)}]  conv/impr ${pct(v.conversion.value)}  revenue/impr ${v.revenuePerImpression.value.toFixed(3)}`;
    console.log(`\nexperiment ${EXPERIMENT}: verdict ${r.verdict}, winner ${r.winner ?? "none"}`);
    console.log(row(control));
    console.log(row(treatment));
    const l = vs.ctr.lift;
    console.log(`  CTR lift ${l ? `${pct(l.estimate)} [${pct(l.low)}, ${pct(l.high)}]` : "n/a"}, difference ${pct(vs.ctr.difference.estimate)} [${pct(vs.ctr.difference.low)}, ${pct(vs.ctr.difference.high)}], p = ${vs.ctr.pValue.toExponential(2)}`);
    console.log(`  conversion per impression p = ${vs.conversion.pValue.toExponential(2)}, revenue per impression p = ${vs.revenuePerImpression.pValue.toExponential(2)}`);
    console.log(`  SRM: chi-square ${r.srm.chiSquare.toFixed(3)}, p = ${r.srm.pValue.toFixed(3)} (${r.srm.mismatch ? "MISMATCH" : "passes"})`);
    const f = canary.figures;
    const arm = (a: { impressions: number; clicks: number; ctr: number | null }) => `impressions ${String(a.impressions).padStart(7)}  clicks ${String(a.clicks).padStart(6)}  CTR ${a.ctr === null ? "n/a" : pct(a.ctr)}`;
    console.log(`\ncanary ${canary.canaryVersion} (random lists, ${pct(canary.share)} of visitors) against ${canary.currentVersion}: ${canary.decision} after ${canary.rounds} round(s)`);
    if (f) {
      console.log(`  canary   ${arm(f.canary)}`);
      console.log(`  current  ${arm(f.current)}`);
      console.log(`  rule ${f.rule}, z = ${f.z === null ? "n/a" : f.z.toFixed(2)}, one-sided p = ${f.pValue === null ? "n/a" : f.pValue.toExponential(2)}, relative CTR drop ${f.relativeDrop === null ? "n/a" : pct(f.relativeDrop)}`);
    }
    console.log(`\ntarget (p < 0.01, lift interval above 0, SRM passes, bad canary rolled back): ${targetMet ? "met" : "NOT met"}; ${seconds} s`);
  }
  process.exitCode = targetMet ? 0 : 1;
} finally {
  await mf.dispose();
}
