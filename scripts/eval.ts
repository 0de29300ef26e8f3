// The offline evaluation CLI (`npm run eval -- ...`): loads data, splits it as EVAL.md says, runs the protocol and
// prints baselines beside the model. Protocol 2 (users) plugs in next to protocol-sessions.
import { parseEvalArgs } from "./eval/args";
import { loadSessions } from "./eval/load";
import { modelAlgorithms } from "./eval/model-rows";
import { MARKOV, POP } from "./eval/algorithms";
import { runSessionProtocol } from "./eval/protocol-sessions";
import { formatJson, formatTable } from "./eval/report";

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  const { train, test } = await loadSessions(args);
  const events = (ss: typeof train) => ss.reduce((n, s) => n + s.items.length, 0);
  process.stderr.write(`train: ${train.length} sessions, ${events(train)} events; test: ${test.length} sessions, ${events(test)} events\n`);
  const rows = runSessionProtocol([POP, MARKOV, ...modelAlgorithms(args.variants)], train, test, { online: args.online });
  process.stdout.write(args.json ? formatJson(rows) : formatTable(rows));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
