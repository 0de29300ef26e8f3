// Splits a replayed history (profiles in turn, time order within one) into runs: one profile's rows with no gap over
// GRAPH_SESSION_GAP_MS. The graph trainer and the re-ranker's fit both read a visitor's history as such sessions.
import { GRAPH_SESSION_GAP_MS } from "../config/limits";
import type { HistoryRow } from "./sources/types";

/** Calls `onRun` with each run once it is complete; `end()` hands over the last one. */
export function runSplitter(onRun: (run: HistoryRow[]) => void): { push(row: HistoryRow): void; end(): void } {
  let run: HistoryRow[] = [];
  return {
    push(row) {
      const last = run.at(-1);
      if (last && (last.profileId !== row.profileId || row.ts - last.ts > GRAPH_SESSION_GAP_MS)) {
        onRun(run);
        run = [];
      }
      run.push(row);
    },
    end() {
      if (run.length > 0) onRun(run);
      run = [];
    },
  };
}
