// Stage 2 of the blend tuning (`npm run eval -- --train F --test F --tune`): the session weight against trending,
// the only other source on session-only traffic, on a validation day carved from train (the test file is unused).
import { DEFAULT_BLEND_WEIGHTS } from "../../src/recommend/blend";
import { blendSessionOnly, HEADLINE } from "./model-rows";
import { sessionModel } from "./algorithms";
import { runSessionProtocol } from "./protocol-sessions";
import { filterTest, type Session } from "./sessions";

export const SESSION_WEIGHT_GRID = [1, 2, 3, 5, 10, 20, 50] as const;

/** Train sessions ending in the last `days` of train become validation (filtered like an explicit split). */
export function validationDay(train: readonly Session[], days = 1): { train: Session[]; valid: Session[] } {
  const tMax = train.reduce((m, s) => Math.max(m, s.times.at(-1)!), -Infinity);
  const cut = tMax - days * 86_400;
  const head = train.filter((s) => s.times.at(-1)! < cut);
  return { train: head, valid: filterTest(head, train.filter((s) => s.times.at(-1)! >= cut)) };
}

/**
 * The smallest session weight (other weights at their defaults) whose blend loses neither HR@20 nor MRR@20 to the
 * session model alone on the validation day; smallest, because a larger one also mutes item-CF and content for
 * returning visitors with a live session. Falls back to the best HR@20 + MRR@20 if no weight ties the model.
 */
export function tuneSessionWeight(train: readonly Session[], log: (line: string) => void = () => {}): number {
  const { train: head, valid } = validationDay(train);
  const algs = [sessionModel(HEADLINE), ...SESSION_WEIGHT_GRID.map((w) => blendSessionOnly({ ...DEFAULT_BLEND_WEIGHTS, session: w }, `session=${w}`))];
  const rows = runSessionProtocol(algs, head, valid);
  const at20 = (i: number) => rows[i]!.metrics.find((m) => m.k === 20)!;
  const base = at20(0);
  log(`validation day: ${valid.length} sessions, ${rows[0]!.predictions} predictions; SessionModel HR@20=${base.hr.toFixed(4)} MRR@20=${base.mrr.toFixed(4)}`);
  let fallback = { w: SESSION_WEIGHT_GRID[0] as number, s: -Infinity };
  for (let i = 0; i < SESSION_WEIGHT_GRID.length; i++) {
    const m = at20(i + 1);
    const w = SESSION_WEIGHT_GRID[i]!;
    log(`session=${w}: HR@20=${m.hr.toFixed(4)} MRR@20=${m.mrr.toFixed(4)}`);
    if (m.hr >= base.hr && m.mrr >= base.mrr) return w;
    if (m.hr + m.mrr > fallback.s) fallback = { w, s: m.hr + m.mrr };
  }
  return fallback.w;
}
