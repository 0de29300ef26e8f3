// Protocol 1 of EVAL.md: next-item prediction over every prefix of every test session, each prefix fed step by
// step through the production SessionState, each algorithm trained on train only (or also online, as its own row).
// Protocol 1b ("new items only") runs in the same pass: only targets not in the prefix count, and the prefix's
// items are removed from every algorithm's ranking (the shared excludeSeen) before the cut at k.
import { excludeSeen } from "../../src/recommend/exclude-seen";
import { SessionState } from "../../src/recommend/session-state";
import type { Recommender, Algorithm } from "./algorithms";
import { RankingMetrics } from "./metrics";
import { Progress } from "./progress";
import type { Session } from "./sessions";
import type { ResultRow, SessionProtocol } from "./report";

export const KS = [20, 10] as const;

/** What `npm run eval` reports on every run: the standard protocol (1) and new items only (1b). */
export const SESSION_PROTOCOLS: readonly SessionProtocol[] = ["standard", "new-items"];

export type SessionsRunOptions = {
  online?: boolean;
  maxPath?: number;
  /** Which protocols make rows (default: the standard one only, e.g. for tuning). Rows come grouped by protocol. */
  protocols?: readonly SessionProtocol[];
};

/**
 * Protocol 1b's ranking for one prefix: the recommender is asked for k + |seen| items, so that after the prefix's
 * items are dropped the cut at k still has k candidates whenever the recommender has them.
 */
export function rankNewItems(rec: Recommender, path: readonly string[], seen: ReadonlySet<string>, k: number): string[] {
  return excludeSeen(rec.recommendUnseen ? rec.recommendUnseen(path, k + seen.size) : rec.recommend(path, k + seen.size), seen, k);
}

/** Predictions per protocol for these test sessions (standard: every position >= 1; 1b: targets not in the prefix). */
export function countPredictions(test: readonly Session[]): Record<SessionProtocol, number> {
  let standard = 0;
  let fresh = 0;
  for (const s of test) {
    const seen = new Set<string>();
    for (let t = 0; t + 1 < s.items.length; t++) {
      seen.add(s.items[t]);
      standard++;
      if (!seen.has(s.items[t + 1])) fresh++;
    }
  }
  return { standard, "new-items": fresh };
}

export function runSessionProtocol(
  algorithms: readonly Algorithm[],
  train: readonly Session[],
  test: readonly Session[],
  opts: SessionsRunOptions = {},
): ResultRow[] {
  const protocols = opts.protocols ?? ["standard"];
  const trainItems = new Set<string>();
  for (const s of train) for (const it of s.items) trainItems.add(it);
  const counts = countPredictions(test);
  const total = protocols.reduce((n, p) => n + counts[p], 0);
  const events: [number, number][] = [];
  test.forEach((s, si) => s.items.forEach((_, t) => events.push([si, t])));
  events.sort((x, y) => test[x[0]].times[x[1]] - test[y[0]].times[y[1]] || x[0] - y[0] || x[1] - y[1]);
  const byProtocol: ResultRow[][] = protocols.map(() => []);
  const maxK = Math.max(...KS);
  const modes = opts.online ? [false, true] : [false];
  for (const online of modes) {
    for (const alg of algorithms) {
      const t0 = performance.now();
      const rec = alg.train(train);
      const t1 = performance.now();
      if (online && !rec.learn) continue;
      const metrics = protocols.map(() => new RankingMetrics(KS));
      const seconds = protocols.map(() => 0);
      const name = online ? `${alg.name} (online)` : alg.name;
      const bar = new Progress(name, total);
      let done = 0;
      // Every revealed event in time order across sessions; static rows could go session by session, but one
      // loop keeps the two modes identical except for learning (and online rows never learn from the future).
      const states = test.map(() => new SessionState(opts.maxPath));
      // The whole prefix s[0..t], as EVAL.md defines it (SessionState may keep fewer steps on very long sessions).
      const seen = test.map(() => new Set<string>());
      for (const [si, t] of events) {
        const s = test[si];
        if (online) rec.learn?.(states[si].path(), s.items[t], s.times[t]);
        states[si].push(s.items[t], s.times[t]);
        seen[si].add(s.items[t]);
        if (t + 1 >= s.items.length) continue;
        const target = s.items[t + 1];
        protocols.forEach((p, i) => {
          if (p === "new-items" && seen[si].has(target)) return;
          const start = performance.now();
          const path = states[si].path();
          const ranked = p === "standard" ? rec.recommend(path, maxK) : rankNewItems(rec, path, seen[si], maxK);
          metrics[i].add(ranked, target);
          seconds[i] += (performance.now() - start) / 1000;
          bar.tick(++done);
        });
      }
      bar.done();
      protocols.forEach((p, i) =>
        byProtocol[i].push({
          name,
          protocol: p,
          metrics: metrics[i].result(),
          predictions: metrics[i].predictions,
          catalog: trainItems.size,
          trainSeconds: (t1 - t0) / 1000,
          scoreSeconds: seconds[i],
          notes: rec.notes,
        }),
      );
    }
  }
  return byProtocol.flat();
}
