// The offline evaluation CLI (`npm run eval -- ...`): loads data, splits it as EVAL.md says, runs the protocol and
// prints baselines beside the model. Protocol 1 and 1b (sessions, both on every run), 2 (users, `--protocol users`)
// or the segments protocol (`--protocol segments`).
import { parseEvalArgs } from "./eval/args";
import { loadSessions } from "./eval/load";
import { modelAlgorithms } from "./eval/model-rows";
import { MARKOV, POP, SR } from "./eval/algorithms";
import { vsknn } from "./eval/vsknn";
import { runSessionProtocol, SESSION_PROTOCOLS } from "./eval/protocol-sessions";
import { runSegmentsProtocol } from "./eval/protocol-segments";
import { formatJson, formatTable } from "./eval/report";
import { averageRows, evaluate, leaveLastOut, train, tuneWeights, VALIDATION_FOLDS } from "./eval/protocol-users";
import { readItemCategories, readUserHistories } from "./eval/read-users";
import { readJdUsers } from "./eval/read-jd";
import { tuneSessionWeight } from "./eval/tune-session-blend";
import { graphAlgorithms, tuneGraphWeight } from "./eval/graph-rows";
import { servedBlend } from "./eval/pipeline-rows";
import { DEFAULT_BLEND_WEIGHTS } from "../src/recommend/blend";

/** Protocol 2: leave-last-out per user (EVAL.md), POP / item-kNN / each source alone / blend. */
async function runUsers(args: ReturnType<typeof parseEvalArgs>): Promise<void> {
  const { users, categories: cats } =
    args.format === "jd"
      ? await readJdUsers(args.input!)
      : { users: await readUserHistories(args.input!), categories: args.items ? await readItemCategories(args.items) : new Map<string, string[]>() };
  let weights: Record<string, number> = { ...DEFAULT_BLEND_WEIGHTS, ...args.weights };
  if (args.tune) {
    weights = tuneWeights(users, cats, (line) => process.stderr.write(`tune: ${line}\n`)).weights;
  }
  if (args.validation) {
    // The folds the tuning uses; the test targets (each user's last item) are never read.
    const folds = VALIDATION_FOLDS.map((drop) => {
      const split = leaveLastOut(users, drop);
      process.stderr.write(`validation fold ${drop}: ${split.histories.length} users, weights ${JSON.stringify(weights)}\n`);
      return evaluate(split, train(split.histories, cats, () => {}), weights);
    });
    const rows = averageRows(folds);
    process.stdout.write(args.json ? formatJson(rows) : formatTable(rows));
    return;
  }
  const split = leaveLastOut(users);
  process.stderr.write(`users: ${users.length}, evaluated: ${split.histories.length}, weights ${JSON.stringify(weights)}\n`);
  const rows = evaluate(split, train(split.histories, cats), weights);
  process.stdout.write(args.json ? formatJson(rows) : formatTable(rows));
}

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  if (args.protocol === "users") return runUsers(args);
  if (args.protocol === "segments") return runSegmentsProtocol(args);
  const { train, test } = await loadSessions(args);
  const events = (ss: typeof train) => ss.reduce((n, s) => n + s.items.length, 0);
  process.stderr.write(`train: ${train.length} sessions, ${events(train)} events; test: ${test.length} sessions, ${events(test)} events\n`);
  const weights = args.tune ? { ...DEFAULT_BLEND_WEIGHTS, session: tuneSessionWeight(train, (line) => process.stderr.write(`tune: ${line}\n`)) } : undefined;
  if (weights) process.stderr.write(`tune: chosen ${JSON.stringify(weights)}\n`);
  // Both protocols on every run (EVAL.md §1 and §1b), each as its own table / JSON rows with a `protocol` field.
  const algorithms = [POP, MARKOV, SR, vsknn(), ...modelAlgorithms(args.variants, weights), servedBlend(weights, "served blend without the re-ranker (blend order)", "none"), servedBlend(weights)];
  if (args.graph) {
    const log = (line: string) => process.stderr.write(`graph: ${line}\n`);
    const { weight } = tuneGraphWeight(train, { log });
    const { alone, blended } = graphAlgorithms([weight], { log });
    algorithms.push(alone, ...blended);
  }
  const rows = runSessionProtocol(algorithms, train, test, { online: args.online, protocols: SESSION_PROTOCOLS });
  process.stdout.write(args.json ? formatJson(rows) : formatTable(rows));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
