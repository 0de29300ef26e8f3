// Scores a live session path with the graph source's per-item cosine neighbour lists (item-embeddings.ts), alone
// or as an extra candidate family added to the session model's scores. Pure: `lists` does the lookups.
import type { Neighbour, ScoredItem } from "./types";

export type GraphScoreOptions = {
  /** Path items used, newest first (distinct items; unknown items are skipped and use up no step). */
  maxPath: number;
  /** A path item d steps before the newest known one weighs decay^d. */
  decay: number;
};

// The two newest distinct items, the older at 0.3: on train's last day this beat the newest item alone for every
// embedding variant tried (seeds 1 and 2, 8 epochs, 64 dims, k = 100; docs/model.md). With cosine lists and a smaller
// weight it had not, so re-check it whenever the lists' scoring changes.
export const DEFAULT_GRAPH_SCORE_OPTIONS: GraphScoreOptions = { maxPath: 2, decay: 0.3 };

export type GraphLookup = (itemId: string) => readonly Neighbour[] | undefined;

/** One graph candidate: its summed score and the path item whose list contributed most (what its reason names). */
export type GraphCandidate = { score: number; from: string; best: number };

/** Graph candidates for a path: Σ decay^d · score over the last path items' neighbour lists, with the top contributor. */
export function scoreGraphWithReasons(path: readonly string[], lists: GraphLookup, options: Partial<GraphScoreOptions> = {}): Map<string, GraphCandidate> {
  const o = { ...DEFAULT_GRAPH_SCORE_OPTIONS, ...options };
  const acc = new Map<string, GraphCandidate>();
  const seen = new Set<string>();
  let d = 0;
  for (let p = path.length - 1; p >= 0 && d < o.maxPath; p--) {
    if (seen.has(path[p])) continue;
    seen.add(path[p]);
    const l = lists(path[p]);
    if (l === undefined) continue;
    const w = Math.pow(o.decay, d++);
    for (const n of l) {
      const v = w * n.score;
      const a = acc.get(n.itemId);
      if (!a) acc.set(n.itemId, { score: v, from: path[p], best: v });
      else {
        a.score += v;
        if (v > a.best) {
          a.best = v;
          a.from = path[p];
        }
      }
    }
  }
  return acc;
}

/** Graph candidates for a path: Σ decay^d · score over the last path items' neighbour lists. */
export function scoreGraph(path: readonly string[], lists: GraphLookup, options: Partial<GraphScoreOptions> = {}): Map<string, number> {
  return new Map([...scoreGraphWithReasons(path, lists, options)].map(([id, c]) => [id, c.score]));
}

/**
 * The session model's candidates (scores divided by the best one, so 1 is the top) plus `weight` × the graph
 * candidates, re-ranked. Ties keep the session ranking's order (its zero-score popularity back-fill included), then
 * graph-only items by id, so weight 0 returns the session ranking unchanged.
 */
export function addGraphCandidates(session: readonly ScoredItem[], graph: ReadonlyMap<string, number>, weight: number, k: number): string[] {
  const top = session.length && session[0].score > 0 ? session[0].score : 1;
  const acc = new Map<string, { score: number; rank: number }>();
  session.forEach((s, rank) => acc.set(s.itemId, { score: s.score / top, rank }));
  if (weight > 0) {
    for (const [id, g] of graph) {
      const a = acc.get(id);
      if (a) a.score += weight * g;
      else acc.set(id, { score: weight * g, rank: Infinity });
    }
  }
  return [...acc.entries()]
    .sort(([xi, x], [yi, y]) => y.score - x.score || x.rank - y.rank || (xi < yi ? -1 : xi > yi ? 1 : 0))
    .slice(0, k)
    .map(([id]) => id);
}
