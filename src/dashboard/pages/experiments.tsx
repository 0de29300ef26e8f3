// Experiments: every experiment of the site with its status and variants, the results table of each one that ran,
// and start / stop / declare-winner buttons (forms posting to the dashboard, which runs the JSON API's handlers).
import { formatPercent } from "../charts/scale";
import type { VariantFigures } from "../data/experiments";
import { DASHBOARD_BASE } from "../layout";
import { Rate, count, money, when } from "./format";
import type { ExperimentRow } from "../../storage/schema";

export type ExperimentEntry = { row: ExperimentRow; figures: VariantFigures[] };

function action(site: string, id: string, verb: string): string {
  return `${DASHBOARD_BASE}/experiments/${encodeURIComponent(id)}/${verb}?site=${encodeURIComponent(site)}`;
}

function changeText(change: ExperimentRow["config"]["variants"][number]["change"]): string {
  const parts: string[] = [];
  if (change.control) parts.push("non-personalized control (trending only)");
  if (change.weights) parts.push(`weights ${Object.entries(change.weights).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  if (change.sources) parts.push(`sources ${change.sources.join(", ")}`);
  if (change.rules) parts.push(`rules ${JSON.stringify(change.rules)}`);
  return parts.length > 0 ? parts.join("; ") : "no change (site defaults)";
}

function Results(props: { e: ExperimentEntry; site: string }) {
  const { row, figures } = props.e;
  const canPromote = row.status !== "draft" && row.winner === null;
  return (
    <table class="results">
      <thead>
        <tr>
          <th>Variant</th>
          <th class="num">Split (set / seen)</th>
          <th class="num">Impressions</th>
          <th class="num">Clicks</th>
          <th class="num">CTR [95%]</th>
          <th class="num">Purchases</th>
          <th class="num">Conversion / impression [95%]</th>
          <th class="num">Revenue / impression</th>
          {canPromote ? <th /> : null}
        </tr>
      </thead>
      <tbody>
        {figures.map((f) => (
          <tr data-variant={f.variant}>
            <td>
              {f.variant}
              {row.winner === f.variant ? <span class="badge serving"> winner</span> : null}
            </td>
            <td class="num">{`${formatPercent(f.share)} / ${f.observedShare === null ? "–" : formatPercent(f.observedShare)}`}</td>
            <td class="num">{count(f.impressions)}</td>
            <td class="num">{count(f.clicks)}</td>
            <td class="num">
              <Rate v={f.ctr} />
            </td>
            <td class="num">{count(f.purchases)}</td>
            <td class="num">
              <Rate v={f.conversion} />
            </td>
            <td class="num">{f.revenuePerImpression === null ? "–" : money(f.revenuePerImpression)}</td>
            {canPromote ? (
              <td>
                <form method="post" action={action(props.site, row.id, "winner")}>
                  <input type="hidden" name="variant" value={f.variant} />
                  <button type="submit" class="secondary">
                    Promote
                  </button>
                </form>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExperimentsBody(props: { site: string; experiments: ExperimentEntry[] }) {
  if (props.experiments.length === 0) {
    return (
      <p class="hint">
        No experiments on this site. Create one with <code>PUT /admin/experiments/:id?site={props.site}</code> (see the README).
      </p>
    );
  }
  return (
    <div>
      <p class="hint">
        Figures are the experiment's recommendation rollups over its slots since it started; intervals are 95% Wilson intervals per variant. Promoting a variant stops the
        experiment and writes its weights and rules into the site config.
      </p>
      <table class="experiments">
        <thead>
          <tr>
            <th>Experiment</th>
            <th>Status</th>
            <th>Slots</th>
            <th>Started</th>
            <th>Stopped</th>
            <th>Winner</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.experiments.map(({ row }) => (
            <tr data-experiment={row.id}>
              <td>
                <a href={`#exp-${row.id}`}>
                  <code>{row.id}</code>
                </a>
              </td>
              <td>
                <span class={`badge ${row.status}`}>{row.status}</span>
              </td>
              <td>{row.config.slots.join(", ")}</td>
              <td>{when(row.startedAt?.getTime())}</td>
              <td>{when(row.stoppedAt?.getTime())}</td>
              <td>{row.winner ?? "–"}</td>
              <td class="actions">
                {row.status === "draft" ? (
                  <form method="post" action={action(props.site, row.id, "start")}>
                    <button type="submit">Start</button>
                  </form>
                ) : null}
                {row.status === "running" ? (
                  <form method="post" action={action(props.site, row.id, "stop")}>
                    <button type="submit" class="danger">
                      Stop
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.experiments.map((e) => (
        <section id={`exp-${e.row.id}`} data-experiment={e.row.id}>
          <h2>
            <code>{e.row.id}</code> <span class={`badge ${e.row.status}`}>{e.row.status}</span>
          </h2>
          <ul>
            {e.row.config.variants.map((v) => (
              <li>
                <strong>{v.name}</strong> (weight {v.weight}): {changeText(v.change)}
              </li>
            ))}
          </ul>
          {e.row.status === "draft" ? <p class="hint">Not started: no results yet.</p> : <Results e={e} site={props.site} />}
        </section>
      ))}
    </div>
  );
}
