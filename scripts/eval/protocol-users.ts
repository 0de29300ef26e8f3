// EVAL.md protocol 2 (leave-last-out per user): each user's last item is the target, everything before it the
// history; rank all items not in the history. Rows: POP, item-kNN (item-cf alone) and the blend of item-cf,
// content, segment popularity and popularity, through the production modules in src/recommend.
import { blend, type BlendSource, type SourceCandidate } from "../../src/recommend/blend";
import { ContentTrainer } from "../../src/recommend/content";
import { ItemCfTrainer, scoreHistory } from "../../src/recommend/item-cf";
import { trainSegments, type BehaviourSummary } from "../../src/recommend/segments";
import type { Neighbour } from "../../src/recommend/types";
import { RankingMetrics } from "./metrics";
import type { ResultRow } from "./report";
import type { UserHistory } from "./read-users";

export const USER_KS = [10] as const;
const MIN_INTERACTIONS = 3;
const POOL = 200;

export type Split = { histories: UserHistory[]; targets: Map<string, string> };

/** Leave-last-out: drop users with fewer than 3 interactions; `drop` extra trailing items first (1 = validation). */
export function leaveLastOut(users: readonly UserHistory[], drop = 0): Split {
  const histories: UserHistory[] = [];
  const targets = new Map<string, string>();
  for (const u of users) {
    const n = u.items.length - drop;
    if (n < MIN_INTERACTIONS) continue;
    histories.push({ user: u.user, items: u.items.slice(0, n - 1), times: u.times.slice(0, n - 1) });
    targets.set(u.user, u.items[n - 1]!);
  }
  return { histories, targets };
}

type Trained = {
  pop: Neighbour[];
  cf: Map<string, Neighbour[]>;
  content: Map<string, Neighbour[]>;
  segmentPop: Neighbour[][];
  segmentOf: Map<string, number>;
  catalog: number;
  trainSeconds: number;
};

function summary(h: UserHistory, cats: Map<string, string[]>): BehaviourSummary {
  const categoryCounts: Record<string, number> = {};
  const hourCounts = new Array<number>(24).fill(0);
  h.items.forEach((it, i) => {
    for (const c of cats.get(it) ?? []) categoryCounts[c] = (categoryCounts[c] ?? 0) + 1;
    hourCounts[new Date(h.times[i]! * 1000).getUTCHours()]!++;
  });
  return { lastSeen: (h.times.at(-1) ?? 0) * 1000, eventCount: h.items.length, counts: { view: h.items.length }, categoryCounts, deviceCounts: {}, hourCounts };
}

export function train(histories: readonly UserHistory[], cats: Map<string, string[]>): Trained {
  const t0 = performance.now();
  const counts = new Map<string, number>();
  const cfTrainer = new ItemCfTrainer();
  for (const h of histories) {
    h.items.forEach((it, i) => {
      counts.set(it, (counts.get(it) ?? 0) + 1);
      cfTrainer.push(h.user, it, h.times[i]! * 1000, "view");
    });
  }
  const pop = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([itemId, score]) => ({ itemId, score }));
  const cfLists = cfTrainer.build();
  const cf = new Map(cfLists.items.map((id, i) => [id, cfLists.lists[i]!]));
  const contentTrainer = new ContentTrainer();
  const itemIds = new Set([...counts.keys(), ...cats.keys()]);
  for (const id of itemIds) contentTrainer.push(id, cats.get(id) ?? [], []);
  const contentLists = contentTrainer.build();
  const content = new Map(contentLists.items.map((id, i) => [id, contentLists.lists[i]!]));

  const catTotals = new Map<string, number>();
  for (const [id, n] of counts) for (const c of cats.get(id) ?? []) catTotals.set(c, (catTotals.get(c) ?? 0) + n);
  const topCats = [...catTotals].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c]) => c);
  const now = Math.max(...histories.map((h) => (h.times.at(-1) ?? 0) * 1000));
  const summaries = histories.map((h) => summary(h, cats));
  const seg = trainSegments(summaries, topCats, now, { kMin: 2, kMax: 6 });
  const segmentOf = new Map<string, number>();
  const segCounts: Map<string, number>[] = [];
  if (seg) {
    histories.forEach((h, i) => {
      const s = seg.assign[i]!;
      segmentOf.set(h.user, s);
      const m = (segCounts[s] ??= new Map());
      for (const it of h.items) m.set(it, (m.get(it) ?? 0) + 1);
    });
  }
  const segmentPop = segCounts.map((m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, POOL).map(([itemId, score]) => ({ itemId, score })));
  if (seg) process.stderr.write(`segments: k=${seg.model.k} silhouette=${seg.model.silhouette} daviesBouldin=${seg.model.daviesBouldin} sizes=${seg.model.sizes.join("/")}\n`);
  return { pop, cf, content, segmentPop, segmentOf, catalog: itemIds.size, trainSeconds: (performance.now() - t0) / 1000 };
}

export type UserRanker = (h: UserHistory, exclude: ReadonlySet<string>) => string[];

function rankFrom(scored: readonly { itemId: string }[], exclude: ReadonlySet<string>, k: number): string[] {
  const out: string[] = [];
  for (const s of scored) {
    if (out.length >= k) break;
    if (!exclude.has(s.itemId)) out.push(s.itemId);
  }
  return out;
}

export function rankers(t: Trained, weights: Partial<Record<BlendSource, number>>): Record<string, UserRanker> {
  const k = Math.max(...USER_KS);
  const now = (h: UserHistory) => (h.times.at(-1) ?? 0) * 1000;
  const cfScores = (h: UserHistory) =>
    scoreHistory(h.items.map((itemId, i) => ({ itemId, ts: h.times[i]! * 1000, type: "view" })), (id) => t.cf.get(id), { now: now(h), k: POOL + h.items.length });
  return {
    POP: (_h, ex) => rankFrom(t.pop, ex, k),
    "item-kNN": (h, ex) => rankFrom(cfScores(h), ex, k),
    blend: (h, ex) => {
      const recent = h.items.slice(-5);
      const content = new Map<string, number>();
      recent.forEach((it, i) => {
        for (const n of t.content.get(it) ?? []) content.set(n.itemId, (content.get(n.itemId) ?? 0) + n.score * (i + 1));
      });
      const seg = t.segmentOf.get(h.user);
      const sources: Partial<Record<BlendSource, SourceCandidate<null>[]>> = {
        itemCf: cfScores(h).filter((c) => !ex.has(c.itemId)).slice(0, POOL).map((c) => ({ itemId: c.itemId, score: c.score, reason: null })),
        content: [...content].filter(([id]) => !ex.has(id)).sort((a, b) => b[1] - a[1]).slice(0, POOL).map(([itemId, score]) => ({ itemId, score, reason: null })),
        segment: (seg === undefined ? [] : (t.segmentPop[seg] ?? [])).filter((n) => !ex.has(n.itemId)).slice(0, POOL).map((n) => ({ ...n, reason: null })),
        trending: t.pop.filter((n) => !ex.has(n.itemId)).slice(0, POOL).map((n) => ({ ...n, reason: null })),
      };
      return rankFrom(blend(sources, weights), ex, k);
    },
  };
}

export function evaluate(split: Split, t: Trained, weights: Partial<Record<BlendSource, number>>, only?: string[]): ResultRow[] {
  const all = rankers(t, weights);
  return Object.entries(all)
    .filter(([name]) => !only || only.includes(name))
    .map(([name, rank]) => {
      const m = new RankingMetrics(USER_KS);
      const t0 = performance.now();
      for (const h of split.histories) m.add(rank(h, new Set(h.items)), split.targets.get(h.user)!);
      return { name, metrics: m.result(), predictions: m.predictions, catalog: t.catalog, trainSeconds: t.trainSeconds, scoreSeconds: (performance.now() - t0) / 1000 };
    });
}

/** Coordinate search of the blend weights on the validation split (second-to-last items), never on the targets. */
export function tuneWeights(users: readonly UserHistory[], cats: Map<string, string[]>): { weights: Record<BlendSource, number>; log: string[] } {
  const split = leaveLastOut(users, 1);
  const t = train(split.histories, cats);
  const weights: Record<BlendSource, number> = { session: 1, itemCf: 1, content: 0.2, segment: 0.1, trending: 0.05 };
  const score = (w: Record<BlendSource, number>) => {
    const r = evaluate(split, t, w, ["blend"])[0]!.metrics[0]!;
    return r.ndcg + r.hr;
  };
  const log: string[] = [];
  let best = score(weights);
  for (let round = 0; round < 2; round++) {
    for (const src of ["content", "segment", "trending"] as const) {
      for (const v of [0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8]) {
        const trial = { ...weights, [src]: v };
        const s = score(trial);
        log.push(`${src}=${v}: HR@10+NDCG@10=${s.toFixed(4)}`);
        if (s > best + 1e-9) {
          best = s;
          weights[src] = v;
        }
      }
    }
  }
  log.push(`best ${JSON.stringify(weights)} (validation HR@10+NDCG@10=${best.toFixed(4)})`);
  return { weights, log };
}
