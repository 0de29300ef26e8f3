// `npx tsx scripts/eval/sweep.ts --train F (--test F | --validation) --spec JSON` (or `--input F --format jd
// --test-days D`): grid over model configs on one split, HR@20/MRR@20 per line under both session protocols (standard,
// then new items). `--validation` scores on train's last day(s) (tune-session-blend's validationDay) and never reads a
// test file: tune there, report on the test split. How the defaults in build-model/score-session/session-stats were
// chosen (see docs/model.md). Runs the same protocol code as `npm run eval`, raw lists (no codec).
import { parseArgs } from "node:util";
import type { BuildConfig } from "../../src/recommend/build-model";
import type { ScoreOptions } from "../../src/recommend/score-session";
import type { CountConfig } from "../../src/recommend/session-stats";
import { sessionModel } from "./algorithms";
import { runSessionProtocol, SESSION_PROTOCOLS } from "./protocol-sessions";
import { readEventTable } from "./read-table";
import type { EvalArgs } from "./args";
import { loadSessions } from "./load";
import { filterTest, groupSessions, type Session } from "./sessions";
import { validationDay } from "./tune-session-blend";

type Spec = { counts: Partial<CountConfig>[]; builds: Partial<BuildConfig>[]; scores: Partial<ScoreOptions>[] };

function parseSpec(text: string): Spec {
  const v: unknown = JSON.parse(text);
  const list = (x: unknown) => (Array.isArray(x) ? (x as object[]) : [{}]);
  if (typeof v !== "object" || v === null) throw new Error("--spec must be a JSON object");
  const o = v as Record<string, unknown>;
  return { counts: list(o.counts), builds: list(o.builds), scores: list(o.scores) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      train: { type: "string" },
      test: { type: "string" },
      input: { type: "string" },
      format: { type: "string", default: "table" },
      "test-days": { type: "string", default: "1" },
      validation: { type: "boolean", default: false },
      "validation-days": { type: "string", default: "1" },
      spec: { type: "string", default: "{}" },
    },
  });
  const usage = "usage: sweep.ts (--train F (--test F | --validation [--validation-days N]) | --input F [--format jd] --test-days D) [--spec JSON]";
  let split: { train: Session[]; test: Session[] };
  if (values.input) {
    // A single file is split like `npm run eval -- --input` (for the JD checks; its last train day is too small to tune on).
    const format = values.format === "jd" ? "jd" : "table";
    const args: EvalArgs = {
      protocol: "sessions",
      input: values.input,
      format,
      testDays: Number(values["test-days"]),
      validation: false,
      tune: false,
      columns: {},
      json: false,
      online: false,
      variants: false,
      graph: false,
    };
    split = await loadSessions(args);
  } else {
    if (!values.train || (!values.test && !values.validation)) throw new Error(usage);
    const all = groupSessions(await readEventTable(values.train));
    split = values.validation
      ? (({ train: head, valid }) => ({ train: head, test: valid }))(validationDay(all, Number(values["validation-days"])))
      : { train: all, test: filterTest(all, groupSessions(await readEventTable(values.test!))) };
  }
  const { train, test } = split;
  const spec = parseSpec(values.spec);
  const grid = spec.counts.flatMap((count) => spec.builds.flatMap((build) => spec.scores.map((score) => ({ count, build, score }))));
  console.log(["std HR@20", "std MRR@20", "new HR@20", "new MRR@20", "count", "build", "score"].join("\t"));
  grid.forEach((v, i) => {
    process.stderr.write(`config ${i + 1}/${grid.length}\n`);
    const rows = runSessionProtocol([sessionModel({ name: `#${i + 1}`, ...v })], train, test, { protocols: SESSION_PROTOCOLS });
    const at20 = rows.map((r) => r.metrics.find((m) => m.k === 20)!);
    const cells = at20.flatMap((m) => [m.hr.toFixed(4), m.mrr.toFixed(4)]);
    console.log([...cells, JSON.stringify(v.count), JSON.stringify(v.build), JSON.stringify(v.score)].join("\t"));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
