// Output of an evaluation run: an aligned table on stdout (one per session protocol), or one JSON object per row
// with --json (session rows carry a `protocol` field).
import type { MetricsAtK } from "./metrics";

/** EVAL.md §1 ("standard": repeats count) and §1b ("new-items": targets not in the prefix, prefix removed). */
export type SessionProtocol = "standard" | "new-items";

export const PROTOCOL_TITLES: Record<SessionProtocol, string> = {
  standard: "Protocol 1, next item (repeats count)",
  "new-items": "Protocol 1b, new items only (targets not in the prefix; prefix items removed before the cut)",
};

export type ResultRow = {
  name: string;
  /** Session protocol rows only; protocol 2 (users) rows leave it out. */
  protocol?: SessionProtocol;
  metrics: MetricsAtK[];
  predictions: number;
  /** Items that could be recommended (train items), the denominator of coverage. */
  catalog: number;
  trainSeconds: number;
  scoreSeconds: number;
  /** Extra facts about a row (artifact bytes per item, …). */
  notes?: Record<string, number | string>;
};

/** One aligned table per protocol present, each under its title, in the order the rows come. */
export function formatTable(rows: readonly ResultRow[]): string {
  if (rows.length === 0) return "(no rows)\n";
  const groups: ResultRow[][] = [];
  for (const r of rows) {
    const g = groups.at(-1);
    if (g && g[0].protocol === r.protocol) g.push(r);
    else groups.push([r]);
  }
  // Notes describe the trained model, the same under every protocol: print them once, under the last table.
  const noted = new Map<string, string>();
  for (const r of rows) if (r.notes) noted.set(r.name, `${r.name}: ${Object.entries(r.notes).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  const tables = groups.map((g) => (g[0].protocol ? `${PROTOCOL_TITLES[g[0].protocol]}\n` : "") + formatGroup(g));
  return tables.join("\n") + [...noted.values()].map((n) => n + "\n").join("");
}

function formatGroup(rows: readonly ResultRow[]): string {
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
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n") + "\n";
}

export function formatJson(rows: readonly ResultRow[]): string {
  return rows
    .map((r) => {
      const flat: Record<string, unknown> = { name: r.name, ...(r.protocol ? { protocol: r.protocol } : {}), predictions: r.predictions, trainSeconds: r.trainSeconds, scoreSeconds: r.scoreSeconds };
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
