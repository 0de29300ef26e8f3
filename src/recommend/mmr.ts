// Diversity by maximal marginal relevance: pick, one at a time, the item best balancing its relevance against its
// similarity to what is already picked (categories and tags, Jaccard, unless the caller passes content vectors' own).

/** A candidate with its labels (e.g. `c:<category>`, `t:<tag>`) for the default Jaccard similarity. */
export type Labelled = { itemId: string; score: number; labels: ReadonlySet<string> };

/** |a ∩ b| / |a ∪ b|; 0 when either set is empty (an item without labels is unlike everything). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/**
 * Greedy MMR: value = lambda * score/maxScore - (1 - lambda) * max similarity to the picks so far. lambda 1 keeps
 * the relevance order; 0 maximises diversity. Returns the first `k` picks. O(k * n * k) similarity calls.
 */
export function mmr<T extends Labelled>(
  items: readonly T[],
  lambda: number,
  k: number,
  similarity: (a: T, b: T) => number = (a, b) => jaccard(a.labels, b.labels),
): T[] {
  if (lambda >= 1 || items.length <= 1) return items.slice(0, k);
  const max = items.reduce((m, i) => Math.max(m, i.score), 0) || 1;
  const left = items.slice();
  const picked: T[] = [];
  while (picked.length < k && left.length > 0) {
    let best = 0;
    let bestValue = -Infinity;
    left.forEach((it, i) => {
      let sim = 0;
      for (const p of picked) sim = Math.max(sim, similarity(it, p));
      const value = lambda * (it.score / max) - (1 - lambda) * sim;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    picked.push(left.splice(best, 1)[0]!);
  }
  return picked;
}
