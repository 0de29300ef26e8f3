import { readItemCategories } from "../eval/read-users";
import { ContentTrainer } from "../../src/recommend/content";
import { OldContent } from "./content-old";
const cats = await readItemCategories("/work/shared/data/movielens-latest-small/movies.csv");
const tags = new Map<string, string[]>();
for (const line of (await import("node:fs")).readFileSync("/work/shared/data/movielens-latest-small/tags.csv", "utf8").split("\n").slice(1)) { const c = line.split(","); if (c.length > 2) (tags.get(c[1]!) ?? tags.set(c[1]!, []).get(c[1]!)!).push(c[2]!); }
let t = performance.now();
const a = new ContentTrainer(); for (const [id, cs] of cats) a.push(id, cs, tags.get(id) ?? []); const ra = a.build(); console.log("new", performance.now() - t); t = performance.now();
const b = new OldContent(); for (const [id, cs] of cats) b.push(id, cs, tags.get(id) ?? []); const rb = b.build(); console.log("old", performance.now() - t);
let diff = 0; ra.lists.forEach((l, i) => { const o = rb.lists[i]!; if (l.length !== o.length || l.some((x, j) => x.itemId !== o[j]!.itemId || Math.abs(x.score - o[j]!.score) > 1e-9)) diff++; });
console.log("items", ra.items.length, "lists differing", diff);
