// Size budget for the Worker upload, run after `npm run build` (wrangler deploy --dry-run --outdir dist), as
// scripts/build-sdk.mjs does for the snippet: prints dist/index.js raw and gzipped, fails above the budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

/**
 * Budget for the gzipped Worker, a little above the measured 108.96 KiB (minified, keep_names off, zod's locales
 * shaken out). Cloudflare's own limit is 3 MiB (Free) / 10 MiB (Paid) gzipped; this one is about startup time and
 * catching a dependency that drags in a lot: raise it on purpose, in review, never to make CI pass.
 * https://developers.cloudflare.com/workers/platform/limits/#worker-size
 * Raised 128 -> 150 for the operator dashboard (issue 10 part 6: server-rendered pages, SVG charts, hono/jsx; +18.5 KiB
 * gzipped, measured 143.66 KiB).
 */
// 150 -> 156: issue 10 part 5's experiment results (~3 KiB) and part 4's canary rollout (~5 KiB); measured 153.16 KiB.
// 156 -> 166: issue 13, the retrain's segmentation (k-means, GMM, DBSCAN, PCA, decision tree, descriptions,
// src/recommend/segment*.ts) runs inside the Worker's cron, plus per-segment targeting: +10.5 KiB gzipped.
// 166 -> 172: issue 11, ingest through a Queue with its consumer, the R2 archive and archive-aware retention (~4 KiB).
// 172 -> 175: issue 9 part 9, the learned re-ranking stage and its daily fit in the retrain (~2.7 KiB); measured 173.02 KiB.
// 175 -> 177: issue 11's click-to-list path (the append's serving path, stale-while-refresh isolate cache, the
// outbox as one value) and issue 9 part 10 (the sequence source leading without a live path, the re-ranker's fit
// windows): ~0.6 KiB; measured 175.10 KiB.
// 177 -> 178: issue 11's per-list JSON text (src/serving/list-json.ts) and issue 9 part 11's late exclusion of the
// live path's items (+0.19 KiB over the 176.82 KiB the sessions before had reached); measured 177.01 KiB.
const MAX_GZIP_KIB = 178;

const file = process.argv[2] ?? "dist/index.js";
let code;
try {
  code = readFileSync(file);
} catch {
  console.error(`${file} not found: run \`npm run build\` first`);
  process.exit(1);
}
// zlib's default level, the one wrangler uses for its "Total Upload: … / gzip: …" line, so the figures match.
const kib = (n) => (n / 1024).toFixed(2);
const gzip = gzipSync(code).length;
console.log(`worker: ${file} ${kib(code.length)} KiB, ${kib(gzip)} KiB gzipped (budget ${MAX_GZIP_KIB} KiB gzipped)`);
if (gzip > MAX_GZIP_KIB * 1024) {
  console.error(`the Worker is over its ${MAX_GZIP_KIB} KiB gzip budget`);
  process.exit(1);
}
