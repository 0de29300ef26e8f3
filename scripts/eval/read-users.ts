// Reads protocol-2 inputs: user interactions (userId,itemId,…,timestamp; header optional) and an optional item file
// with pipe-separated categories (MovieLens movies.csv: movieId,title,genres, quoted fields may hold commas).
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

export type UserHistory = { user: string; items: string[]; times: number[] };

/** Splits one CSV line, honouring double quotes ("" is a literal quote). */
export function splitCsv(line: string, sep = ","): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Users' interactions ordered by time (ties keep file order). Columns: user, item, …, time (last). */
export async function readUserHistories(file: string): Promise<UserHistory[]> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  const byUser = new Map<string, { items: string[]; times: number[]; order: number[] }>();
  let first = true;
  let sep = ",";
  let n = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (first) {
      first = false;
      sep = line.includes("\t") ? "\t" : ",";
      const cells = splitCsv(line, sep);
      if (!Number.isFinite(Number(cells.at(-1)))) continue; // a header
    }
    const cells = splitCsv(line, sep);
    const user = cells[0]!;
    const time = Number(cells.at(-1));
    let h = byUser.get(user);
    if (!h) byUser.set(user, (h = { items: [], times: [], order: [] }));
    h.items.push(cells[1]!);
    h.times.push(time);
    h.order.push(n++);
  }
  return [...byUser].map(([user, h]) => {
    const idx = h.items.map((_, i) => i).sort((a, b) => h.times[a]! - h.times[b]! || h.order[a]! - h.order[b]!);
    return { user, items: idx.map((i) => h.items[i]!), times: idx.map((i) => h.times[i]!) };
  });
}

/** Item id → categories, from an item file whose first column is the id and last column `a|b|c`. */
export async function readItemCategories(file: string): Promise<Map<string, string[]>> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  const out = new Map<string, string[]>();
  let first = true;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const cells = splitCsv(line);
    if (first) {
      first = false;
      if (!/^\d+$/.test(cells[0] ?? "")) continue;
    }
    const cats = (cells.at(-1) ?? "").split("|").filter((c) => c && c !== "(no genres listed)");
    out.set(cells[0]!, cats);
  }
  return out;
}
