// Size budget for the Worker upload, run after `npm run build` (wrangler deploy --dry-run --outdir dist), as
// scripts/build-sdk.mjs does for the snippet: prints dist/index.js raw and gzipped, fails above the budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

/**
 * Budget for the gzipped Worker, a little above the measured 108.96 KiB (minified, keep_names off, zod's locales
 * shaken out). Cloudflare's own limit is 3 MiB (Free) / 10 MiB (Paid) gzipped; this one is about startup time and
 * catching a dependency that drags in a lot: raise it on purpose, in review, never to make CI pass.
 * https://developers.cloudflare.com/workers/platform/limits/#worker-size
 */
// 132: issue 11's ingest queue, its consumer and the R2 archive (128.44 KiB measured).
const MAX_GZIP_KIB = 132;

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
