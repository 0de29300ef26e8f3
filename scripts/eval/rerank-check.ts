// `npx tsx scripts/eval/rerank-check.ts --train F`: the learned re-ranker on train's
// last day only (never a test file): the served blend without and with the re-ranker the retrain would fit (each of
// the head's newest RERANK_HOLDOUT_DAYS days held out from lists trained on the days before it), both session
// protocols. How the re-ranking
// stage was checked before any test day was read (docs/model.md, issue 9 part 9).
import { parseArgs } from "node:util";
import { servedBlend } from "./pipeline-rows";
import { runSessionProtocol, SESSION_PROTOCOLS } from "./protocol-sessions";
import { readEventTable } from "./read-table";
import { formatTable } from "./report";
import { groupSessions } from "./sessions";
import { validationDay } from "./tune-session-blend";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { train: { type: "string" }, fold: { type: "string", default: "1" } } });
  if (!values.train) throw new Error("usage: rerank-check.ts --train F [--fold N]");
  // Fold N scores train's N-th day from the end, trained on the days before it (fold 1: the last day).
  let all = groupSessions(await readEventTable(values.train));
  for (let f = 1; f < Number(values.fold); f++) all = validationDay(all).train;
  const { train: head, valid } = validationDay(all);
  // "retrain": the retrain's own fit over the head (its newest days, each held out from lists trained on the days
  // before it), then served over lists trained on the whole head.
  const rows = runSessionProtocol([servedBlend({}, "served blend, blend order", "none"), servedBlend({}, "served blend + re-ranker, all", { retrain: "all" }), servedBlend({}, "served blend + re-ranker, revisits", { retrain: "revisits" })], head, valid, {
    protocols: SESSION_PROTOCOLS,
  });
  process.stdout.write(formatTable(rows));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
