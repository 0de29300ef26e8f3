// Trains every personal-artifact family the source registry declares (item-CF, content, graph, …): one trainer per
// family, each fed the catalog and the visitors' histories. The retrain (train-personal.ts) and the evaluation CLI
// both train through this, so the evaluation scores the lists the Worker serves.
import { PERSONAL_FAMILY_SPECS } from "../recommend/sources";
import type { CatalogItem, FamilyBuild, FamilyTrainer, HistoryRow } from "../recommend/sources/types";
import { packFamilies } from "./personal-artifact";
import type { FamilyModel } from "./shards";

export class PersonalFamiliesTrainer {
  private readonly trainers: { family: string; trainer: FamilyTrainer }[] = PERSONAL_FAMILY_SPECS.map((f) => ({ family: f.family, trainer: f.trainer() }));

  pushCatalog(item: CatalogItem): void {
    for (const t of this.trainers) t.trainer.pushCatalog?.(item);
  }

  /** Rows of one profile must arrive together, in time order (as the retrain's keyset pages deliver them). */
  pushHistory(row: HistoryRow): void {
    for (const t of this.trainers) t.trainer.pushHistory?.(row);
  }

  /** Builds every family once; `items` counts each family's items (the retrain's metrics). */
  build(): { model: FamilyModel; items: Record<string, number> } {
    const builds: Record<string, FamilyBuild> = Object.fromEntries(this.trainers.map((t) => [t.family, t.trainer.build()]));
    return { model: packFamilies(builds), items: Object.fromEntries(Object.entries(builds).map(([f, b]) => [f, b.items.length])) };
  }
}
