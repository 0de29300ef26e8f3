// Prints a trained segmentation as text (the same fields GET /admin/segments answers): candidates, the choice,
// each segment's description and scores, the new-visitor segment, the projection's explained variance and the
// context-factor report.
import type { SegmentModel } from "../../src/recommend/segments";

export function formatSegmentReport(m: SegmentModel): string {
  const lines: string[] = [];
  lines.push(`segments: ${m.method} k=${m.k} silhouette=${m.silhouette} daviesBouldin=${m.daviesBouldin} (clustered ${m.clustered} of ${m.profiles} profiles)`);
  lines.push(`  choice: ${m.selection}`);
  lines.push(`  structure: ${m.structure.words}`);
  lines.push(`  candidates:`);
  for (const c of m.candidates) {
    const extra = [c.bic !== undefined ? `bic=${c.bic}` : "", c.eps !== undefined ? `eps=${c.eps} noise=${c.noise}` : "", c.warmStart ? "warm start" : "", c.note ?? ""].filter(Boolean).join(" ");
    lines.push(`    ${c.chosen ? "*" : " "} ${c.method.padEnd(6)} k=${String(c.k).padEnd(2)} sil=${c.silhouette.toFixed(3)} db=${c.daviesBouldin.toFixed(3)}${c.eligible ? "" : " (not eligible)"} ${extra}`);
  }
  for (const s of m.segments) {
    lines.push(`  segment ${s.id} (${s.size}, ${Math.round(s.share * 100)}%): ${s.description}${s.distinctive ? "" : " [not distinctive]"}`);
    lines.push(`      scores: score ${s.scores.score}, recency ${s.scores.recency}, frequency ${s.scores.frequency}, engagement ${s.scores.engagement}, conversion ${s.scores.conversion}`);
  }
  lines.push(`  segment 0 (${m.newVisitors.size}): ${m.newVisitors.description}`);
  lines.push(`  projection: ${m.projection.points.length} points, PCA explains ${(m.projection.explained[0] * 100).toFixed(1)}% + ${(m.projection.explained[1] * 100).toFixed(1)}% of the variance`);
  if (m.context) {
    lines.push(`  context factors (decision tree, preferred category): accuracy ${m.context.accuracy} vs baseline ${m.context.baseline.accuracy} ("${m.context.baseline.category}") on ${m.context.heldOut} held-out visitors`);
    lines.push(`    importance: ${m.context.factors.map((f) => `${f.factor} ${f.importance}${f.available ? "" : " (no data)"}`).join(", ")}`);
    lines.push(`    ${m.context.summary}`);
  } else lines.push(`  context factors: not enough visitors with a preferred category`);
  return lines.join("\n") + "\n";
}
