// A CART classification tree (Gini impurity, binary threshold splits) with impurity-decrease feature importance:
// what the segments' context report uses to say which factors (device, hour, weekday, country) predict a visitor's
// preferred category. Small on purpose: depth and leaf size are capped, so it trains on a few thousand rows.
import type { Matrix } from "./vector";

export type TreeNode = { leaf: true; label: number; counts: number[] } | { leaf: false; feature: number; threshold: number; left: TreeNode; right: TreeNode };
export type TreeOptions = { maxDepth?: number; minLeaf?: number; classes: number };
export type Tree = { root: TreeNode; importance: number[] };

function gini(counts: readonly number[], n: number): number {
  if (n === 0) return 0;
  let s = 1;
  for (const c of counts) s -= (c / n) ** 2;
  return s;
}

function countsOf(labels: readonly number[], idx: readonly number[], classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (const i of idx) c[labels[i]!]!++;
  return c;
}

function argmax(xs: readonly number[]): number {
  let b = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[b]!) b = i;
  return b;
}

/** Fits a tree; `importance[j]` is feature j's total weighted impurity decrease, normalised to sum to 1. */
export function fitTree(rows: Matrix, labels: readonly number[], opts: TreeOptions): Tree {
  const maxDepth = opts.maxDepth ?? 5;
  const minLeaf = opts.minLeaf ?? 5;
  const d = rows[0]?.length ?? 0;
  const importance = new Array<number>(d).fill(0);
  const total = rows.length;

  const grow = (idx: number[], depth: number): TreeNode => {
    const counts = countsOf(labels, idx, opts.classes);
    const impurity = gini(counts, idx.length);
    const leaf: TreeNode = { leaf: true, label: argmax(counts), counts };
    if (depth >= maxDepth || idx.length < 2 * minLeaf || impurity === 0) return leaf;
    let best: { feature: number; threshold: number; gain: number } | null = null;
    for (let j = 0; j < d; j++) {
      const sorted = [...idx].sort((a, b) => rows[a]![j]! - rows[b]![j]!);
      const left = new Array<number>(opts.classes).fill(0);
      const right = counts.slice();
      for (let p = 0; p < sorted.length - 1; p++) {
        const lab = labels[sorted[p]!]!;
        left[lab]!++;
        right[lab]!--;
        const v = rows[sorted[p]!]![j]!;
        const next = rows[sorted[p + 1]!]![j]!;
        const nl = p + 1;
        if (v === next || nl < minLeaf || sorted.length - nl < minLeaf) continue;
        const nr = sorted.length - nl;
        const gain = impurity - (nl / sorted.length) * gini(left, nl) - (nr / sorted.length) * gini(right, nr);
        if (gain > 1e-12 && (!best || gain > best.gain)) best = { feature: j, threshold: (v + next) / 2, gain };
      }
    }
    if (!best) return leaf;
    importance[best.feature]! += (idx.length / total) * best.gain;
    const l = idx.filter((i) => rows[i]![best!.feature]! <= best!.threshold);
    const r = idx.filter((i) => rows[i]![best!.feature]! > best!.threshold);
    return { leaf: false, feature: best.feature, threshold: best.threshold, left: grow(l, depth + 1), right: grow(r, depth + 1) };
  };

  const root = grow(rows.map((_, i) => i), 0);
  const sum = importance.reduce((a, b) => a + b, 0);
  return { root, importance: importance.map((x) => (sum > 0 ? x / sum : 0)) };
}

export function predictTree(tree: Tree, x: readonly number[]): number {
  let node = tree.root;
  while (!node.leaf) node = x[node.feature]! <= node.threshold ? node.left : node.right;
  return node.label;
}
