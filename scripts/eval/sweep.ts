// `npx tsx scripts/eval/sweep.ts --train F --test F --spec JSON`: grid over model configs on one split, HR@20/MRR@20
// per line. How the defaults in build-model/score-session/session-stats were chosen (see docs/model.md).
import { parseArgs } from "node:util";
import { buildModel, type BuildConfig } from "../../src/recommend/build-model";
import { modelLookup } from "../../src/recommend/model-lookup";
import { scoreSession, type ScoreOptions } from "../../src/recommend/score-session";
import { SessionStatsAccumulator, type CountConfig } from "../../src/recommend/session-stats";
import { SessionState } from "../../src/recommend/session-state";
import { RankingMetrics } from "./metrics";
import { readEventTable } from "./read-table";
import { filterTest, groupSessions } from "./sessions";

type Spec = { counts: Partial<CountConfig>[]; builds: Partial<BuildConfig>[]; scores: Partial<ScoreOptions>[] };

function parseSpec(text: string): Spec {
  const v: unknown = JSON.parse(text);
  const list = (x: unknown) => (Array.isArray(x) ? (x as object[]) : [{}]);
  if (typeof v !== "object" || v === null) throw new Error("--spec must be a JSON object");
  const o = v as Record<string, unknown>;
  return { counts: list(o.counts), builds: list(o.builds), scores: list(o.scores) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { train: { type: "string" }, test: { type: "string" }, spec: { type: "string", default: "{}" } } });
  if (!values.train || !values.test) throw new Error("usage: sweep.ts --train F --test F [--spec JSON]");
  const train = groupSessions(await readEventTable(values.train));
  const test = filterTest(train, groupSessions(await readEventTable(values.test)));
  const spec = parseSpec(values.spec);
  for (const count of spec.counts) {
    const acc = new SessionStatsAccumulator(count);
    for (const s of train) acc.pushSession(s.items);
    for (const build of spec.builds) {
      const model = buildModel(acc, build);
      const lists = modelLookup(model);
      for (const score of spec.scores) {
        const m = new RankingMetrics([20]);
        for (const s of test) {
          const state = new SessionState();
          for (let t = 0; t + 1 < s.items.length; t++) {
            state.push(s.items[t], s.times[t]);
            const ranked = scoreSession(state.path(), lists, { ...score, k: 20, popular: model.popular });
            m.add(ranked.map((r) => r.itemId), s.items[t + 1]);
          }
        }
        const r = m.result()[0];
        console.log([r.hr.toFixed(4), r.mrr.toFixed(4), JSON.stringify(count), JSON.stringify(build), JSON.stringify(score)].join("\t"));
      }
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
