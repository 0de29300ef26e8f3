// The experiments page's figures: each started experiment's results view, the same one GET
// /admin/experiments/:id/results answers (src/recommend/experiment-results.ts over one grouped rollup read each).
import { experimentResults, type ExperimentResults } from "../../recommend/experiment-results";
import { variantLabel } from "../../recommend/experiments";
import { readExperimentRollups } from "../../storage/experiments-repo";
import type { ExperimentRow } from "../../storage/schema";

/** Results of every experiment of the page (null for drafts), their rollup reads in parallel. */
export function experimentFigures(d1: D1Database, site: string, experiments: readonly ExperimentRow[]): Promise<(ExperimentResults | null)[]> {
  return Promise.all(
    experiments.map(async (e) => {
      if (e.status === "draft") return null;
      const rows = await readExperimentRollups(d1, site, e.config.variants.map((v) => variantLabel(e.id, v.name)));
      return experimentResults({ id: e.id, config: e.config }, rows);
    }),
  );
}
