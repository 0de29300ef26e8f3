// A SessionDO flush's body, pure (unit-tested in Node): v2 is the live steps themselves with the path before them,
// and the retrain counts them (liveStepRows, exactly as the trainer counts a session). The object used to count at
// flush time and send the increments, a dozen rows per step (after, with, item counters), which made the flush's
// counting, JSON and D1 write about a quarter of a 100-event ingest's thread time. v1 bodies (arrays of counted rows)
// still parse.
import type { CountConfig } from "../recommend/session-stats";
import { liveStepRows, type DeltaRow } from "./stats-delta";

/** What a v2 flush sends: the steps it counts, oldest first as [itemId, ts], and the path before them (item ids). */
type StepsBody = { v: 2; before: string[]; steps: [string, number][] };

/** A v2 body: `steps` to be counted after `before` (the session path so far). */
export function stepsBody(before: readonly { itemId: string }[], steps: readonly { itemId: string; ts: number }[]): string {
  const body: StepsBody = { v: 2, before: before.map((s) => s.itemId), steps: steps.map((s) => [s.itemId, s.ts]) };
  return JSON.stringify(body);
}

/** Whether a body (or an outbox value) is v1's counted rows: a JSON array. */
export function isRowsBody(body: string): boolean {
  return body.startsWith("[");
}

/** A flush body as increments: a v2 body's steps counted with `config`, a v1 body's rows as they were sent. */
export function parseDeltaBody(body: string, config: CountConfig): DeltaRow[] {
  if (!isRowsBody(body)) {
    const { before, steps } = JSON.parse(body) as StepsBody;
    return liveStepRows(before.map((itemId) => ({ itemId })), steps.map(([itemId, ts]) => ({ itemId, ts })), config);
  }
  return (JSON.parse(body) as [DeltaRow["kind"], string, string, number, number][]).map(([kind, a, b, bucket, w]) => ({ kind, a, b, bucket, w }));
}
