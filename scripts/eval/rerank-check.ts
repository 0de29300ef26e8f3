// `npx tsx scripts/eval/rerank-check.ts --train F [--validation-days N] [--pool N]`: the learned re-ranker on train's
// last day only (never a test file): the served blend without and with the re-ranker the retrain would fit (the day
// before the last held out from lists trained on the days before it), both session protocols. How the re-ranking
// stage was checked before any test day was read (docs/model.md, issue 9 part 9).
import { parseArgs } from "node:util";
import { fitRerankOn } from "../../src/models/train-rerank";
import { RERANK_FEATURES } from "../../src/recommend/rerank";
import { servedArtifacts, servedBlend } from "./pipeline-rows";
import { runSessionProtocol, SESSION_PROTOCOLS } from "./protocol-sessions";
import { readEventTable } from "./read-table";
import { formatTable } from "./report";
import { groupSessions } from "./sessions";
import { validationDay } from "./tune-session-blend";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { train: { type: "string" }, pool: { type: "string", default: "20" }, iterations: { type: "string", default: "150" }, l2: { type: "string", default: "0.03" } } });
  if (!values.train) throw new Error("usage: rerank-check.ts --train F [--pool N]");
  const all = groupSessions(await readEventTable(values.train));
  const { train: head, valid } = validationDay(all);
  // The fit: train's second-to-last day held out from lists trained on the days before it.
  const { train: head2, valid: day2 } = validationDay(head);
  const t0 = performance.now();
  const fit = fitRerankOn(servedArtifacts(head2).view, day2.map((s) => s.items), Number(values.pool), { iterations: Number(values.iterations), l2: Number(values.l2) });
  process.stderr.write(`fit: ${day2.length} sessions, ${fit.prefixes} prefixes, ${fit.examples} with the target in the pool, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  process.stderr.write(RERANK_FEATURES.map((f, i) => `${f}=${fit.model.weights[i]}`).join(" ") + "\n");
  const rows = runSessionProtocol([servedBlend({}, "served blend, blend order", "none"), servedBlend({}, "served blend + re-ranker (fitted on day -2)", fit.model)], head, valid, { protocols: SESSION_PROTOCOLS });
  process.stdout.write(formatTable(rows));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
