// Small shared cells of the dashboard's tables: a rate with its interval, counts, times.
import { formatPercent } from "../charts/scale";

export function Rate(props: { v: { rate: number; lo: number; hi: number } | null }) {
  if (!props.v) return <span class="muted">–</span>;
  return (
    <span>
      {formatPercent(props.v.rate)} <span class="ci">{`[${formatPercent(props.v.lo)} – ${formatPercent(props.v.hi)}]`}</span>
    </span>
  );
}

export const count = (n: number) => n.toLocaleString("en-US");
export const money = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** "2026-12-01 19:04 UTC" (or "–"). */
export const when = (ms: number | null | undefined) => (ms ? `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC` : "–");
