// A growable open-addressing hash map from an (a, b) pair of item numbers to a summed float weight, in typed arrays.
// Far smaller than Map<number, number> (16 bytes a slot) and it keeps sums exact enough to merge across runs. It
// grows up to a slot budget; a full table then drops its lighter half (lossy counting), so memory stays bounded
// however many events are counted: heavy pairs keep their exact sums, rare ones may be forgotten.
import { TRAINING_PAIR_SLOTS } from "../config/limits";

const EMPTY = 0xffffffff;
// Linear probing stays fast up to ~0.8 with a mixed hash; higher load saves memory (pairs dominate training).
const MAX_LOAD = 0.8;

/**
 * Row-major view of pairs: row a's entries are cols/vals[rowStart[a] .. rowStart[a+1]). Values are f32: rows only
 * feed the build step, where 7 significant digits are plenty and the memory is halved.
 */
export type PairRows = { rowStart: Uint32Array; cols: Uint32Array; vals: Float32Array };

/** Counting-sort of pairs given by `each` into rows (two passes over the pairs, no intermediate copies). */
export function groupRows(each: (fn: (a: number, b: number, w: number) => void) => void, nRows: number, symmetric: boolean): PairRows {
  const rowStart = new Uint32Array(nRows + 1);
  each((a, b) => {
    rowStart[a + 1]++;
    if (symmetric && a !== b) rowStart[b + 1]++;
  });
  for (let r = 0; r < nRows; r++) rowStart[r + 1] += rowStart[r];
  const fill = rowStart.slice(0, nRows);
  const cols = new Uint32Array(rowStart[nRows]);
  const vals = new Float32Array(rowStart[nRows]);
  each((a, b, w) => {
    let at = fill[a]++;
    cols[at] = b;
    vals[at] = w;
    if (symmetric && a !== b) {
      at = fill[b]++;
      cols[at] = a;
      vals[at] = w;
    }
  });
  return { rowStart, cols, vals };
}

export class PairTable {
  private keysA: Uint32Array;
  private keysB: Uint32Array;
  private vals: Float64Array;
  private used = 0;
  private readonly maxSlots: number;
  /** Entries dropped by pruning so far, and the largest weight a dropped entry had (the error bound of any sum). */
  pruned = 0;
  prunedMax = 0;
  private prunes = 0;

  /** `maxSlots` is rounded down to a power of two (at least 16). */
  constructor(initialCapacity = 1024, maxSlots = TRAINING_PAIR_SLOTS) {
    let max = 16;
    while (max * 2 <= maxSlots) max *= 2;
    this.maxSlots = max;
    let cap = 16;
    while (cap < initialCapacity / MAX_LOAD && cap < max) cap *= 2;
    this.keysA = new Uint32Array(cap).fill(EMPTY);
    this.keysB = new Uint32Array(cap);
    this.vals = new Float64Array(cap);
  }

  get size(): number {
    return this.used;
  }

  /** Bytes held by the backing arrays (for the memory budget). */
  get bytes(): number {
    return this.keysA.byteLength + this.keysB.byteLength + this.vals.byteLength;
  }

  add(a: number, b: number, w: number): void {
    if (a >= EMPTY || b >= EMPTY) throw new RangeError("item number out of range");
    if (this.used + 1 > this.keysA.length * MAX_LOAD) {
      if (this.keysA.length < this.maxSlots) this.grow();
      else this.prune();
    }
    const slot = this.find(a, b);
    if (this.keysA[slot] === EMPTY) {
      this.keysA[slot] = a;
      this.keysB[slot] = b;
      this.used++;
    }
    this.vals[slot] += w;
  }

  get(a: number, b: number): number {
    const slot = this.find(a, b);
    return this.keysA[slot] === EMPTY ? 0 : this.vals[slot];
  }

  forEach(fn: (a: number, b: number, w: number) => void): void {
    const { keysA, keysB, vals } = this;
    for (let i = 0; i < keysA.length; i++) if (keysA[i] !== EMPTY) fn(keysA[i], keysB[i], vals[i]);
  }

  /** Groups entries by `a` (counting sort); `symmetric` also files each entry under `b`. `nRows` must exceed every item. */
  rows(nRows: number, symmetric = false): PairRows {
    return groupRows((fn) => this.forEach(fn), nRows, symmetric);
  }

  private find(a: number, b: number): number {
    const mask = this.keysA.length - 1;
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    let slot = h & mask;
    while (this.keysA[slot] !== EMPTY && (this.keysA[slot] !== a || this.keysB[slot] !== b)) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { keysA, keysB, vals } = this;
    this.rehash(keysA.length * 2, keysA, keysB, vals, keysA.length);
  }

  /**
   * Keeps the heaviest half of the entries and rehashes them into the same number of slots. Ties at the cut are
   * taken from a start slot that moves each time, so the same pairs do not always lose (deterministic all the
   * same). The survivors are copied out first: a transient half table.
   */
  private prune(): void {
    const { keysA, keysB, vals } = this;
    const cap = keysA.length;
    const weights = new Float64Array(this.used);
    let n = 0;
    for (let i = 0; i < cap; i++) if (keysA[i] !== EMPTY) weights[n++] = vals[i]!;
    const keep = Math.floor(n / 2);
    const cut = kthLargest(weights, keep);
    let ties = keep;
    for (let i = 0; i < n; i++) if (weights[i]! > cut) ties--;
    const a = new Uint32Array(keep);
    const b = new Uint32Array(keep);
    const w = new Float64Array(keep);
    let k = 0;
    const start = Math.imul(++this.prunes, 0x9e3779b1) >>> 0;
    for (let j = 0; j < cap; j++) {
      const i = (start + j) & (cap - 1);
      if (keysA[i] === EMPTY) continue;
      const v = vals[i]!;
      if (v > cut || (v === cut && ties-- > 0)) {
        a[k] = keysA[i]!;
        b[k] = keysB[i]!;
        w[k++] = v;
      } else {
        this.pruned++;
        if (v > this.prunedMax) this.prunedMax = v;
      }
    }
    this.rehash(cap, a, b, w, k);
  }

  private rehash(cap: number, keysA: Uint32Array, keysB: Uint32Array, vals: Float64Array, n: number): void {
    this.keysA = new Uint32Array(cap).fill(EMPTY);
    this.keysB = new Uint32Array(cap);
    this.vals = new Float64Array(cap);
    this.used = 0;
    for (let i = 0; i < n; i++) {
      if (keysA[i] === EMPTY) continue;
      const slot = this.find(keysA[i]!, keysB[i]!);
      this.keysA[slot] = keysA[i]!;
      this.keysB[slot] = keysB[i]!;
      this.vals[slot] = vals[i]!;
      this.used++;
    }
  }
}

/** The k-th largest value (1-based) of `xs`, by quickselect; reorders `xs`. */
function kthLargest(xs: Float64Array, k: number): number {
  if (k <= 0) return Infinity;
  let lo = 0;
  let hi = xs.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! > pivot) i++;
      while (xs[j]! < pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i++] = xs[j]!;
        xs[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return xs[target]!;
  }
  return xs[target]!;
}
