// Protocol 1 of EVAL.md: next-item prediction over every prefix of every test session, each prefix fed step by
// step through the production SessionState, each algorithm trained on train only (or also online, as its own row).
import { SessionState } from "../../src/recommend/session-state";
import type { Algorithm } from "./algorithms";
import { RankingMetrics } from "./metrics";
import { Progress } from "./progress";
import type { Session } from "./sessions";
import type { ResultRow } from "./report";

export const KS = [20, 10] as const;

export type SessionsRunOptions = { online?: boolean; maxPath?: number };

export function runSessionProtocol(
  algorithms: readonly Algorithm[],
  train: readonly Session[],
  test: readonly Session[],
  opts: SessionsRunOptions = {},
): ResultRow[] {
  const trainItems = new Set<string>();
  for (const s of train) for (const it of s.items) trainItems.add(it);
  const total = test.reduce((n, s) => n + s.items.length - 1, 0);
  const events: [number, number][] = [];
  test.forEach((s, si) => s.items.forEach((_, t) => events.push([si, t])));
  events.sort((x, y) => test[x[0]].times[x[1]] - test[y[0]].times[y[1]] || x[0] - y[0] || x[1] - y[1]);
  const rows: ResultRow[] = [];
  const modes = opts.online ? [false, true] : [false];
  for (const online of modes) {
    for (const alg of algorithms) {
      const t0 = performance.now();
      const rec = alg.train(train);
      const t1 = performance.now();
      if (online && !rec.learn) continue;
      const metrics = new RankingMetrics(KS);
      const name = online ? `${alg.name} (online)` : alg.name;
      const bar = new Progress(name, total);
      // Every revealed event in time order across sessions; static rows could go session by session, but one
      // loop keeps the two modes identical except for learning (and online rows never learn from the future).
      const states = test.map(() => new SessionState(opts.maxPath));
      for (const [si, t] of events) {
        const s = test[si];
        if (online) rec.learn?.(states[si].path(), s.items[t], s.times[t]);
        states[si].push(s.items[t], s.times[t]);
        if (t + 1 < s.items.length) {
          metrics.add(rec.recommend(states[si].path(), Math.max(...KS)), s.items[t + 1]);
          bar.tick(metrics.predictions);
        }
      }
      bar.done();
      const t2 = performance.now();
      rows.push({
        name,
        metrics: metrics.result(),
        predictions: metrics.predictions,
        catalog: trainItems.size,
        trainSeconds: (t1 - t0) / 1000,
        scoreSeconds: (t2 - t1) / 1000,
        notes: rec.notes,
      });
    }
  }
  return rows;
}
