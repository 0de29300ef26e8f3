// Experiments: every experiment of the site with its status and variants, the results table of each one that ran,
// and start / stop / declare-winner buttons (forms posting to the dashboard, which runs the JSON API's handlers).
import { formatPercent } from "../charts/scale";
import type { Estimate, ExperimentResults, VariantResult } from "../../recommend/experiment-results";
import { DASHBOARD_BASE } from "../layout";
import { Rate, count, money, when } from "./format";
import type { ExperimentRow } from "../../storage/schema";

export type ExperimentEntry = { row: ExperimentRow; results: ExperimentResults | null };

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

const rate = (e: Estimate) => ({ rate: e.value, lo: e.low, hi: e.high });
const signed = (x: number) => `${x >= 0 ? "+" : ""}${formatPercent(x)}`;
const pValue = (p: number) => (p < 0.0001 ? "< 0.0001" : p.toFixed(4));

const VERDICTS: Record<ExperimentResults["verdict"], string> = {
  insufficient_sample: "Not enough data yet: every variant needs the minimum impressions before anything is called.",
  sample_ratio_mismatch: "Sample ratio mismatch: the observed split does not match the configured one, so assignment is broken and no result is trusted.",
  no_significant_difference: "No significant difference against the control.",
  winner: "A variant beats the control significantly on CTR.",
};

/** CTR lift against the control with its 95% interval and p-value (held to the Bonferroni-split alpha). */
function Lift(props: { v: VariantResult }) {
  const c = props.v.vsControl?.ctr;
  if (!c) return <span class="muted">control</span>;
  return (
    <span class={c.significant ? "significant" : undefined}>
      {c.lift ? `${signed(c.lift.estimate)} ` : `${signed(c.difference.estimate)} pts `}
      <span class="ci">{c.lift ? `[${signed(c.lift.low)} – ${signed(c.lift.high)}]` : `[${signed(c.difference.low)} – ${signed(c.difference.high)}]`}</span>
      {` p ${pValue(c.pValue)}`}
    </span>
  );
}

function Results(props: { e: ExperimentEntry; site: string }) {
  const { row, results } = props.e;
  if (!results) return <p class="hint">Not started: no results yet.</p>;
  const canPromote = row.status !== "draft" && row.winner === null;
  const seen = Object.values(results.srm.observed).reduce((a, b) => a + b, 0);
  return (
    <div>
      <p class={`verdict ${results.verdict}`} data-verdict={results.verdict}>
        {VERDICTS[results.verdict]}
        {results.winner ? ` Winner: ${results.winner}.` : ""} Minimum sample {count(results.minImpressionsPerVariant)} impressions a variant; each comparison at
        alpha {results.alphaPerComparison.toFixed(3)}. Split check (chi-square on visitors): p {pValue(results.srm.pValue)}
        {results.srm.mismatch ? " — mismatch" : " — passes"}.
      </p>
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
            <th class="num">Revenue / impression [95%]</th>
            <th class="num">CTR lift vs control [95%]</th>
            {canPromote ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {results.variants.map((v) => (
            <tr data-variant={v.name}>
              <td>
                {v.name}
                {row.winner === v.name ? <span class="badge serving"> winner</span> : null}
              </td>
              <td class="num">{`${formatPercent(v.share)} / ${seen > 0 ? formatPercent((results.srm.observed[v.name] ?? 0) / seen) : "–"}`}</td>
              <td class="num">{count(v.impressions)}</td>
              <td class="num">{count(v.clicks)}</td>
              <td class="num">
                <Rate v={v.impressions > 0 ? rate(v.ctr) : null} />
              </td>
              <td class="num">{count(v.purchases)}</td>
              <td class="num">
                <Rate v={v.impressions > 0 ? rate(v.conversion) : null} />
              </td>
              <td class="num">
                {v.impressions > 0 ? (
                  <span>
                    {money(v.revenuePerImpression.value)} <span class="ci">{`[${money(v.revenuePerImpression.low)} – ${money(v.revenuePerImpression.high)}]`}</span>
                  </span>
                ) : (
                  "–"
                )}
              </td>
              <td class="num">
                <Lift v={v} />
              </td>
              {canPromote ? (
                <td>
                  <form method="post" action={action(props.site, row.id, "winner")}>
                    <input type="hidden" name="variant" value={v.name} />
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
    </div>
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
        Figures are the experiment's recommendation rollups (the same view as <code>GET /admin/experiments/:id/results</code>): rates with 95% Wilson intervals,
        each treatment's CTR lift against the control with its interval and two-proportion p-value. Promoting a variant stops the experiment and writes its weights and
        rules into the site config.
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
          <Results e={e} site={props.site} />
        </section>
      ))}
    </div>
  );
}
