// Segments: the served model's visitor segments as GET /admin/segments reports them — how much structure the
// clustering found and how it was chosen, sizes as bars, the 2-D projection as a scatter, each segment's
// description, the candidates tried, and which context factors predict taste.
import { BarChart, ScatterChart } from "../charts/charts";
import { formatPercent } from "../charts/scale";
import type { SegmentsView } from "../data/segments";
import { count } from "./format";

const fixed = (n: number | null | undefined, d = 3) => (typeof n === "number" && Number.isFinite(n) ? n.toFixed(d) : "–");

export function SegmentsBody(props: { view: SegmentsView }) {
  const v = props.view;
  if (!("report" in v)) return <p class="hint">No segments: {v.note}.</p>;
  const r = v.report;
  const names = v.ids.map((id) => (id === r.newVisitors.id ? "new visitors" : `#${id}`));
  const sizes = [r.newVisitors.size, ...r.segments.map((s) => s.size)];
  const total = sizes.reduce((a, b) => a + b, 0);
  return (
    <div>
      <p class={`verdict ${r.structure.verdict}`} data-structure={r.structure.verdict}>
        Model <code>{r.modelVersion}</code>: {r.method}, k = {r.k}, silhouette {fixed(r.silhouette)}, Davies-Bouldin {fixed(r.daviesBouldin)} — {r.structure.words}.{" "}
        {count(r.clustered)} of {count(r.profiles)} visitors clustered; {r.selection}
      </p>
      <div class="charts">
        <BarChart title="Visitors per segment" categories={names} series={[{ name: "visitors", values: sizes }]} yLabel="visitors" />
        <ScatterChart
          title={`Visitors in 2-D (PCA: ${formatPercent(r.projection.explained[0])} + ${formatPercent(r.projection.explained[1])} of the variance)`}
          points={v.points}
          groups={names}
          xLabel="component 1"
          yLabel="component 2"
        />
      </div>
      <table class="segments">
        <thead>
          <tr>
            <th>Segment</th>
            <th class="num">Visitors</th>
            <th class="num">Share</th>
            <th>Description</th>
            <th>Favourite items</th>
          </tr>
        </thead>
        <tbody>
          <tr data-segment={r.newVisitors.id} class="muted">
            <td>new visitors</td>
            <td class="num">{count(r.newVisitors.size)}</td>
            <td class="num">{total > 0 ? formatPercent(r.newVisitors.size / total) : "–"}</td>
            <td>{r.newVisitors.description}</td>
            <td />
          </tr>
          {r.segments.map((s) => (
            <tr data-segment={s.id}>
              <td>#{s.id}</td>
              <td class="num">{count(s.size)}</td>
              <td class="num">{total > 0 ? formatPercent(s.size / total) : "–"}</td>
              <td>
                {s.description}
                {s.distinctive ? null : <span class="muted"> (nothing sets it apart)</span>}
              </td>
              <td>
                {s.topItems.map((id) => (
                  <code>{id} </code>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Candidates tried</h2>
      <table class="candidates">
        <thead>
          <tr>
            <th>Method</th>
            <th class="num">k</th>
            <th class="num">Silhouette</th>
            <th class="num">Davies-Bouldin</th>
            <th>Note</th>
          </tr>
        </thead>
        <tbody>
          {r.candidates.map((c) => (
            <tr class={c.chosen ? "chosen" : undefined}>
              <td>
                {c.method}
                {c.chosen ? <span class="badge serving"> chosen</span> : null}
              </td>
              <td class="num">{c.k}</td>
              <td class="num">{fixed(c.silhouette)}</td>
              <td class="num">{fixed(c.daviesBouldin)}</td>
              <td>
                {[c.bic !== undefined ? `BIC ${Math.round(c.bic)}` : null, c.noise !== undefined ? `noise ${formatPercent(c.noise)}` : null, c.eligible ? null : "not eligible", c.note ?? null]
                  .filter(Boolean)
                  .join("; ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>What predicts taste (context factors)</h2>
      {r.contextFactors ? (
        <div>
          <p class="hint">{r.contextFactors.summary}</p>
          <div class="charts">
            <BarChart
            title="Importance for the preferred category (decision tree)"
            categories={r.contextFactors.factors.map((f) => f.factor)}
            series={[{ name: "importance", values: r.contextFactors.factors.map((f) => f.importance) }]}
            yLabel="importance"
            />
          </div>
        </div>
      ) : (
        <p class="hint">Too few visitors with a preferred category to fit the context model.</p>
      )}
    </div>
  );
}
