import { readItemCategories, readUserHistories } from "./read-users";
import { readJdUsers } from "./read-jd";
import { evaluate, leaveLastOut, train } from "./protocol-users";
import { DEFAULT_BLEND_WEIGHTS } from "../../src/recommend/blend";
async function main() {
  const jd = process.argv[3];
  const { users, categories: cats } = jd ? await readJdUsers(jd) : { users: await readUserHistories("/work/shared/data/movielens-latest-small/ratings.csv"), categories: await readItemCategories("/work/shared/data/movielens-latest-small/movies.csv") };
  const sets = JSON.parse(process.argv[2]!) as Record<string, number>[];
  const tot = sets.map(() => ({ hr: 0, ndcg: 0 }));
  const seq = { hr: 0, ndcg: 0 };
  for (const drop of [1, 2, 3]) {
    const split = leaveLastOut(users, drop);
    const t = train(split.histories, cats, () => {});
    const s = evaluate(split, t, DEFAULT_BLEND_WEIGHTS, ["session model on history only"])[0]!.metrics[0]!;
    seq.hr += s.hr / 3; seq.ndcg += s.ndcg / 3;
    sets.forEach((w, i) => {
      const r = evaluate(split, t, { ...DEFAULT_BLEND_WEIGHTS, ...w }, ["served blend"])[0]!.metrics[0]!;
      tot[i]!.hr += r.hr / 3; tot[i]!.ndcg += r.ndcg / 3;
    });
    console.error(`fold ${drop} done`);
  }
  console.log("sequence alone", seq.hr.toFixed(4), seq.ndcg.toFixed(4));
  sets.forEach((w, i) => console.log(JSON.stringify(w), tot[i]!.hr.toFixed(4), tot[i]!.ndcg.toFixed(4)));
}
void main();
