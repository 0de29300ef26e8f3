// Models: the kept model versions (newest first) with their offline metrics side by side, which one is served, the
// canary's state (from the canary adapter) and the rollback button.
import type { ModelVersion } from "../../models/manifest";
import type { CanaryView } from "../data/models";
import { DASHBOARD_BASE } from "../layout";
import { count, when } from "./format";

function metricText(v: number | string | undefined): string {
  if (v === undefined) return "–";
  if (typeof v === "string") return v;
  return Number.isInteger(v) ? count(v) : String(Number(v.toPrecision(4)));
}

export function ModelsBody(props: { site: string; current: ModelVersion | null; versions: ModelVersion[]; canary: CanaryView | null }) {
  const { versions, current } = props;
  if (!current) return <p class="hint">This site has no trained model yet (POST /admin/retrain?site={props.site}, or wait for the nightly retrain).</p>;
  const metricNames = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].sort();
  const i = versions.findIndex((v) => v.version === current.version);
  const older = versions[i + 1];
  return (
    <div>
      <h2>Versions</h2>
      <table class="versions">
        <thead>
          <tr>
            <th />
            {versions.map((v) => (
              <th data-version={v.version}>
                <code>{v.version}</code> {v.version === current.version ? <span class="badge serving">serving</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>Trained</th>
            {versions.map((v) => (
              <td>{when(v.createdAt)}</td>
            ))}
          </tr>
          <tr>
            <th>Items</th>
            {versions.map((v) => (
              <td class="num">{count(v.itemCount)}</td>
            ))}
          </tr>
          <tr>
            <th>Format · shards</th>
            {versions.map((v) => (
              <td class="num">{`${v.format} · ${v.nShards}`}</td>
            ))}
          </tr>
          <tr>
            <th>Artifact bytes</th>
            {versions.map((v) => (
              <td class="num">{count(v.bytes.shards + v.bytes.trending + v.bytes.stats + (v.bytes.personal ?? 0))}</td>
            ))}
          </tr>
          {metricNames.map((m) => (
            <tr class="metric" data-metric={m}>
              <th>
                <code>{m}</code>
              </th>
              {versions.map((v) => (
                <td class="num">{metricText(v.metrics[m])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        {older ? (
          <form method="post" action={`${DASHBOARD_BASE}/models/rollback?site=${encodeURIComponent(props.site)}`}>
            <button type="submit" class="danger">
              Roll back to {older.version}
            </button>
          </form>
        ) : (
          <span class="muted">No older kept version to roll back to.</span>
        )}
      </div>
      <h2>Canary</h2>
      {props.canary ? (
        <table class="canary">
          <tbody>
            <tr>
              <th>State</th>
              <td>
                <span class="badge">{props.canary.state}</span>
              </td>
            </tr>
            <tr>
              <th>Candidate / baseline</th>
              <td>
                <code>{props.canary.candidate}</code> vs <code>{props.canary.baseline}</code> ({Math.round(props.canary.share * 100)}% of traffic)
              </td>
            </tr>
            {Object.entries(props.canary.figures).map(([k, v]) => (
              <tr>
                <th>{k}</th>
                <td>{metricText(v)}</td>
              </tr>
            ))}
            <tr>
              <th>Decided</th>
              <td>{when(props.canary.decidedAt)}</td>
            </tr>
          </tbody>
        </table>
      ) : (
        <p class="hint" id="no-canary">
          No canary rollout on this site: every visitor is served the current version.
        </p>
      )}
    </div>
  );
}
