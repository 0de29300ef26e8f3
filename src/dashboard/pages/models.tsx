// Models: the site's models view (src/routes/admin-models.ts `modelsView`, the same as GET /admin/models): kept
// versions with their state and offline metrics, the pending canary with the guardrail's reading now, the decision
// history, and the publish / evaluate / roll back buttons (forms posting to the dashboard, which runs the JSON API).
import { formatPercent } from "../charts/scale";
import { CANARY_DEFAULT_SHARE, CANARY_MAX_SHARE } from "../../config/limits";
import type { ArmCounts, GuardrailDecision, GuardrailRule } from "../../recommend/canary-guardrail";
import type { ModelsView, VersionState } from "../../routes/admin-models";
import type { ModelDecision } from "../../storage/model-decisions-repo";
import { wilson } from "../data/stats";
import { DASHBOARD_BASE } from "../layout";
import { Rate, count, when } from "./format";

function metricText(v: number | string | undefined): string {
  if (v === undefined) return "–";
  if (typeof v === "string") return v;
  return Number.isInteger(v) ? count(v) : String(Number(v.toPrecision(4)));
}

const STATE_LABELS: Record<VersionState, string> = { current: "current", canary: "canary", rolled_back: "rolled back", kept: "kept" };

const pValue = (p: number | null) => (p === null ? "–" : p < 0.0001 ? "< 0.0001" : p.toFixed(4));

/** "3 h 12 min", "45 min", "20 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

function href(site: string, path: string): string {
  return `${DASHBOARD_BASE}/models${path}?site=${encodeURIComponent(site)}`;
}

/** What the guardrail would decide now, in words, with the figures and thresholds behind it. */
function reason(g: GuardrailDecision): string {
  const t = g.thresholds;
  const drop = g.relativeDrop === null ? "–" : formatPercent(g.relativeDrop);
  const why: Record<GuardrailRule, string> = {
    insufficient: `each version needs ${count(t.minImpressions)} impressions first (canary ${count(g.canary.impressions)}, current ${count(g.current.impressions)}); unproven after ${duration(t.maxAgeMs)}, it is rolled back.`,
    expired: `${duration(g.ageMs)} old (limit ${duration(t.maxAgeMs)}) without being shown to be no worse than the current version.`,
    significantly_worse: `the canary's CTR is significantly lower than the current version's (one-sided p below ${t.significance}).`,
    not_worse: `the CTR drop of ${drop} is within the ${formatPercent(t.maxCtrDrop)} accepted and not significant (p ${pValue(g.pValue)}).`,
    within_noise: `the CTR is ${drop} lower, more than the ${formatPercent(t.maxCtrDrop)} accepted, but not significantly (p ${pValue(g.pValue)} ≥ ${t.significance}); more impressions decide.`,
  };
  return why[g.rule];
}

const DECISION_WORDS: Record<GuardrailDecision["decision"], string> = { promote: "promote", rollback: "roll back", none: "wait" };

function ArmRow(props: { name: string; version: string; arm: ArmCounts }) {
  const { arm } = props;
  return (
    <tr data-arm={props.name}>
      <td>
        {props.name} <code>{props.version}</code>
      </td>
      <td class="num">{count(arm.impressions)}</td>
      <td class="num">{count(arm.clicks)}</td>
      <td class="num">
        <Rate v={wilson(Math.min(arm.clicks, arm.impressions), arm.impressions)} />
      </td>
    </tr>
  );
}

function CanaryPanel(props: { site: string; view: ModelsView }) {
  const c = props.view.canary;
  if (!c) {
    return (
      <p class="hint" id="no-canary">
        No canary rollout on this site: every visitor is served the current version.
      </p>
    );
  }
  const g = c.guardrail;
  return (
    <section id="canary" data-version={c.version} data-would={g.decision} data-rule={g.rule}>
      <p>
        <code>{c.version}</code> is served to {formatPercent(c.share)} of visitors since {when(c.startedAt)} ({duration(c.ageMs)}), against{" "}
        <code>{props.view.current?.version}</code> for the rest.
      </p>
      <table class="canary-arms">
        <thead>
          <tr>
            <th>Version</th>
            <th class="num">Impressions</th>
            <th class="num">Clicks</th>
            <th class="num">CTR [95%]</th>
          </tr>
        </thead>
        <tbody>
          <ArmRow name="canary" version={c.version} arm={g.canary} />
          <ArmRow name="current" version={props.view.current?.version ?? "–"} arm={g.current} />
        </tbody>
      </table>
      <p class={`verdict ${g.decision === "rollback" ? "sample_ratio_mismatch" : g.decision === "promote" ? "winner" : ""}`} id="guardrail">
        Guardrail now: <strong>{DECISION_WORDS[g.decision]}</strong> ({g.rule.replaceAll("_", " ")}): {reason(g)} z {g.z === null ? "–" : g.z.toFixed(2)}, one-sided p{" "}
        {pValue(g.pValue)}, relative CTR drop {g.relativeDrop === null ? "–" : formatPercent(g.relativeDrop)}.
      </p>
      <div class="actions">
        <form method="post" action={href(props.site, "/canary/evaluate")}>
          <button type="submit" id="evaluate-canary">
            Evaluate canary now
          </button>
        </form>
      </div>
    </section>
  );
}

function arm(x: unknown): ArmCounts | null {
  if (typeof x !== "object" || x === null) return null;
  const { impressions, clicks } = x as Record<string, unknown>;
  return typeof impressions === "number" && typeof clicks === "number" ? { impressions, clicks } : null;
}

/** The figures a decision was made on, in one line: each side's impressions and CTR, and the test's p-value. */
function keyFigures(figures: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const side of ["canary", "current"] as const) {
    const a = arm(figures[side]);
    if (a) parts.push(`${side} ${count(a.impressions)} impr., CTR ${a.impressions > 0 ? formatPercent(Math.min(a.clicks, a.impressions) / a.impressions) : "–"}`);
  }
  if (typeof figures.pValue === "number") parts.push(`p ${pValue(figures.pValue)}`);
  if (typeof figures.share === "number") parts.push(`share ${formatPercent(figures.share)}`);
  return parts.length > 0 ? parts.join(" · ") : "–";
}

function History(props: { decisions: ModelDecision[] }) {
  if (props.decisions.length === 0) return <p class="hint">No promotions or rollbacks yet.</p>;
  return (
    <table class="decisions">
      <thead>
        <tr>
          <th>Time</th>
          <th>Decision</th>
          <th>Version</th>
          <th>Against</th>
          <th>Rule</th>
          <th>Trigger</th>
          <th>Figures</th>
        </tr>
      </thead>
      <tbody>
        {props.decisions.map((d) => (
          <tr data-decision={d.decision} data-version={d.version} data-rule={d.rule}>
            <td>{when(d.decidedAt)}</td>
            <td>
              <span class={`badge ${d.decision === "promoted" ? "serving" : "stopped"}`}>{d.decision === "promoted" ? "promoted" : "rolled back"}</span>
            </td>
            <td>
              <code>{d.version}</code>
            </td>
            <td>{d.againstVersion ? <code>{d.againstVersion}</code> : "–"}</td>
            <td>{d.rule.replaceAll("_", " ")}</td>
            <td>{d.trigger}</td>
            <td>{keyFigures(d.figures)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ModelsBody(props: { site: string; view: ModelsView }) {
  const { versions, current, canary } = props.view;
  if (!current) return <p class="hint">This site has no trained model yet (POST /admin/retrain?site={props.site}, or wait for the nightly retrain).</p>;
  const metricNames = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].sort();
  const i = versions.findIndex((v) => v.version === current.version);
  const older = versions.slice(i + 1).find((v) => v.state !== "rolled_back");
  return (
    <div>
      <h2>Versions</h2>
      <table class="versions">
        <thead>
          <tr>
            <th />
            {versions.map((v) => (
              <th data-version={v.version} data-state={v.state}>
                <code>{v.version}</code> <span class={`badge state-${v.state}`}>{STATE_LABELS[v.state]}</span>
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
        {canary ? (
          <form method="post" action={href(props.site, "/rollback")}>
            <button type="submit" class="danger" id="rollback">
              Roll back canary {canary.version}
            </button>
          </form>
        ) : older ? (
          <form method="post" action={href(props.site, "/rollback")}>
            <button type="submit" class="danger" id="rollback">
              Roll back to {older.version}
            </button>
          </form>
        ) : (
          <span class="muted">No older kept version to roll back to.</span>
        )}
        <form method="post" action={href(props.site, "/canary")} class="publish">
          <label>
            Retrain and publish as a canary to{" "}
            <input type="number" name="share" min="0.1" max={String(CANARY_MAX_SHARE * 100)} step="0.1" value={String(CANARY_DEFAULT_SHARE * 100)} required />% of visitors
          </label>{" "}
          <button type="submit" class="secondary" id="publish-canary">
            Publish canary
          </button>
        </form>
      </div>
      <h2>Canary</h2>
      <CanaryPanel site={props.site} view={props.view} />
      <h2>Decisions</h2>
      <History decisions={props.view.decisions} />
    </div>
  );
}
