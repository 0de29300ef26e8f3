// Output of an evaluation run: an aligned table on stdout, or one JSON object per row with --json.
import type { MetricsAtK } from "./metrics";

export type ResultRow = {
  name: string;
  metrics: MetricsAtK[];
  predictions: number;
  /** Items that could be recommended (train items), the denominator of coverage. */
  catalog: number;
  trainSeconds: number;
  scoreSeconds: number;
  /** Extra facts about a row (artifact bytes per item, …). */
  notes?: Record<string, number | string>;
};

export function formatTable(rows: readonly ResultRow[]): string {
  if (rows.length === 0) return "(no rows)\n";
  const ks = rows[0].metrics.map((m) => m.k);
  const head = ["algorithm", ...ks.flatMap((k) => [`HR@${k}`, `MRR@${k}`, `NDCG@${k}`, `Cov@${k}`]), "preds", "train s", "score s"];
  const body = rows.map((r) => [
    r.name,
    ...r.metrics.flatMap((m) => [m.hr, m.mrr, m.ndcg, m.coverage / (r.catalog || 1)].map((x) => x.toFixed(4))),
    String(r.predictions),
    r.trainSeconds.toFixed(2),
    r.scoreSeconds.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const notes = rows.filter((r) => r.notes).map((r) => `${r.name}: ${Object.entries(r.notes ?? {}).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line), ...notes].join("\n") + "\n";
}

export function formatJson(rows: readonly ResultRow[]): string {
  return rows
    .map((r) => {
      const flat: Record<string, unknown> = { name: r.name, predictions: r.predictions, trainSeconds: r.trainSeconds, scoreSeconds: r.scoreSeconds };
      for (const m of r.metrics) {
        flat[`hr@${m.k}`] = m.hr;
        flat[`mrr@${m.k}`] = m.mrr;
        flat[`ndcg@${m.k}`] = m.ndcg;
        flat[`coverage@${m.k}`] = m.coverage / (r.catalog || 1);
        flat[`covered@${m.k}`] = m.coverage;
      }
      if (r.notes) Object.assign(flat, r.notes);
      return JSON.stringify(flat);
    })
    .join("\n") + "\n";
}
