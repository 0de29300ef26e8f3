// Segments: the served model's visitor segments (size, description, favourite items), their sizes as a bar chart,
// and a 2-D scatter of the projection when the segment model has one.
import { BarChart, ScatterChart } from "../charts/charts";
import type { SegmentsView } from "../data/segments";
import { count } from "./format";

export function SegmentsBody(props: { view: SegmentsView }) {
  const v = props.view;
  if (v.segments.length === 0) return <p class="hint">The served model has no segments (no model yet, or too few visitors to cluster).</p>;
  const names = v.segments.map((s) => `#${s.segment}`);
  const total = v.segments.reduce((s, x) => s + x.size, 0);
  return (
    <div>
      <p class="hint">
        Model <code>{v.modelVersion}</code>: k = {v.k}, silhouette {v.silhouette?.toFixed(3)}, Davies-Bouldin {v.daviesBouldin?.toFixed(3)}.
      </p>
      <div class="charts">
        <BarChart title="Visitors per segment" categories={names} series={[{ name: "visitors", values: v.segments.map((s) => s.size) }]} yLabel="visitors" />
        {v.projection ? (
          <ScatterChart title="Visitors in 2-D (projection)" points={v.projection} groups={names} xLabel="component 1" yLabel="component 2" />
        ) : (
          <figure class="chart">
            <figcaption>2-D projection</figcaption>
            <p class="hint" id="no-projection">
              This segment model carries no 2-D projection; it appears here once the model does.
            </p>
          </figure>
        )}
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
          {v.segments.map((s) => (
            <tr data-segment={s.segment}>
              <td>#{s.segment}</td>
              <td class="num">{count(s.size)}</td>
              <td class="num">{total > 0 ? `${Math.round((100 * s.size) / total)}%` : "–"}</td>
              <td>{s.description}</td>
              <td>
                {s.topItems.map((id) => (
                  <code>{id} </code>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
