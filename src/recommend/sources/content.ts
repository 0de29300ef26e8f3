// Content source: catalog similarity (categories and tags, TF-IDF cosine) of the item on screen and the visitor's
// newest history items; works for items nobody has touched yet. The personal artifact's "content" family.
import { ContentTrainer } from "../content";
import { contentCandidates, DEFAULT_CONTENT_SEEDS } from "../candidate-lists";
import type { CandidateSource, FamilyTrainer, SourceContext } from "./types";

function contentSeeds(ctx: SourceContext): string[] {
  return [...(ctx.current !== undefined ? [ctx.current] : []), ...ctx.history.slice(0, DEFAULT_CONTENT_SEEDS).map((h) => h.itemId)];
}

function contentTrainer(): FamilyTrainer {
  const t = new ContentTrainer();
  return { pushCatalog: (item) => t.push(item.id, item.categories, item.tags), build: () => t.build() };
}

export const contentSource = {
  name: "content",
  defaultWeight: 0.2,
  normalise: "max",
  evidence: true,
  families: [{ artifact: "personal", family: "content", trainer: contentTrainer }],
  trains: "TF-IDF cosine over catalog categories and tags, top-K per item (src/recommend/content.ts), rebuilt each retrain",
  seeds: contentSeeds,
  candidates(ctx, view, pool) {
    return contentCandidates(contentSeeds(ctx), (id) => view.personal(id)?.content, { k: pool }).map((c) => ({
      itemId: c.itemId,
      score: c.score,
      reason: { kind: "similar" as const, itemId: c.from },
    }));
  },
  // The history and the item on screen.
  historyKey: (ctx) => ctx.current ?? "",
  personal: (c, own) => "itemId" in c.reason && own.has(c.reason.itemId),
} as const satisfies CandidateSource<"content">;
