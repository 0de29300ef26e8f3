// V-SKNN (Ludewig & Jannach's vector-multiplication session kNN), a reference baseline of EVAL.md computed by this
// harness. Evaluation only: edgerec serves precomputed per-item lists, never a scan over neighbour sessions.
import type { Algorithm } from "./algorithms";
import type { Session } from "./sessions";

export type VsknnConfig = {
  /** Neighbour sessions kept (most similar first). */
  k: number;
  /** Candidate sessions: the most recent ones (by last event) among those sharing an item with the path. */
  sampleSize: number;
  /** Weight of the path item at 1-based position i of n: max(0, 1 - positionDecay * (n - i)) (linear weights). */
  positionDecay: number;
  /** A neighbour's items are scored similarity · (1 + idfWeight · idf(item)) / (steps back to the newest match). */
  idfWeight: number;
};

export const DEFAULT_VSKNN: VsknnConfig = { k: 100, sampleSize: 1000, positionDecay: 0.1, idfWeight: 1 };

/** V-SKNN over the train sessions; ranks by summed neighbour scores, back-filled by popularity. */
export function vsknn(config: Partial<VsknnConfig> = {}, name = "V-SKNN"): Algorithm {
  const c = { ...DEFAULT_VSKNN, ...config };
  return {
    name,
    train(sessions) {
      const index = new Map<string, number[]>(); // item -> sessions containing it (train order)
      const itemSets: Set<string>[] = [];
      const lastTime: number[] = [];
      const events = new Map<string, number>();
      sessions.forEach((s: Session, si) => {
        const set = new Set(s.items);
        itemSets.push(set);
        lastTime.push(s.times.at(-1) ?? 0);
        for (const it of set) {
          const list = index.get(it);
          if (list) list.push(si);
          else index.set(it, [si]);
        }
        for (const it of s.items) events.set(it, (events.get(it) ?? 0) + 1);
      });
      const idf = new Map<string, number>();
      for (const [it, list] of index) idf.set(it, Math.log(sessions.length / list.length));
      // Stable sort: equal counts keep first-seen order, like the other baselines.
      const popular = [...events].sort((a, b) => b[1] - a[1]).map(([id]) => id);
      return {
        recommend(path, k) {
          const n = path.length;
          const weight = new Map<string, number>(); // latest position wins, as in the reference implementation
          path.forEach((it, i) => weight.set(it, Math.max(0, 1 - c.positionDecay * (n - 1 - i))));
          const candidates = new Set<number>();
          for (const it of weight.keys()) for (const si of index.get(it) ?? []) candidates.add(si);
          let sample = [...candidates];
          if (sample.length > c.sampleSize) sample = sample.sort((a, b) => lastTime[b] - lastTime[a] || b - a).slice(0, c.sampleSize);
          const neighbours: [number, number][] = [];
          for (const si of sample) {
            let sim = 0;
            for (const [it, w] of weight) if (itemSets[si].has(it)) sim += w;
            if (sim > 0) neighbours.push([si, sim]);
          }
          neighbours.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
          const scores = new Map<string, number>();
          for (const [si, sim] of neighbours.slice(0, c.k)) {
            const items = itemSets[si];
            let step = 1;
            for (let p = n - 1; p >= 0 && !items.has(path[p]); p--) step++;
            const decay = 1 / step;
            for (const it of items) scores.set(it, (scores.get(it) ?? 0) + sim * (1 + c.idfWeight * (idf.get(it) ?? 0)) * decay);
          }
          const out = [...scores].sort((a, b) => b[1] - a[1]).slice(0, k).map(([id]) => id);
          if (out.length < k) {
            const have = new Set(out);
            for (const id of popular) {
              if (out.length >= k) break;
              if (!have.has(id)) out.push(id);
            }
          }
          return out;
        },
      };
    },
  };
}
