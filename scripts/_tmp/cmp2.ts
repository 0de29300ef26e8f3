import { readItemCategories } from "../eval/read-users";
import { ContentTrainer } from "../../src/recommend/content";
const cats = await readItemCategories("/work/shared/data/movielens-latest-small/movies.csv");
let t = performance.now();
const a = new ContentTrainer(); for (const [id, cs] of cats) a.push(id, cs, []); a.build(); console.log("new no tags", performance.now() - t);
