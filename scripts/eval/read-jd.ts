// Reads a JD micro-behaviors sample (one session per line, tokens sku+type+category+interval+dwell) into sessions
// (protocol 1) or, one visitor per line, into user histories with the products' leaf categories (protocol 2).
// The files have no absolute times, so sessions are laid end to end in file order on one clock built from the
// time_interval fields; that lets --test-days pick the last sessions as test.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { UserHistory } from "./read-users";
import type { Session } from "./sessions";

type JdLine = { items: string[]; times: number[]; categories: Map<string, string> };

async function* readJdLines(file: string): AsyncGenerator<JdLine> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let clock = 0;
  for await (const line of lines) {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const s: JdLine = { items: [], times: [], categories: new Map() };
    for (const tok of tokens) {
      const [sku, , category, interval] = tok.split("+");
      // Consecutive micro-behaviors on one product are one item view.
      if (sku && s.items[s.items.length - 1] !== sku) {
        s.items.push(sku);
        s.times.push(clock);
      }
      if (sku && category) s.categories.set(sku, category);
      const dt = Number(interval);
      clock += Number.isFinite(dt) && dt > 0 ? dt : 0;
    }
    clock += 1;
    yield s;
  }
}

export async function readJdSessions(file: string): Promise<Session[]> {
  const out: Session[] = [];
  for await (const s of readJdLines(file)) out.push({ id: String(out.length), items: s.items, times: s.times });
  return out;
}

/**
 * Protocol 2 on JD: the samples have no visitor ids, so each line (one long session, a median of ~30 products) is
 * one visitor's history, in time order; each product's leaf category is its only category.
 */
export async function readJdUsers(file: string): Promise<{ users: UserHistory[]; categories: Map<string, string[]> }> {
  const users: UserHistory[] = [];
  const categories = new Map<string, string[]>();
  for await (const s of readJdLines(file)) {
    users.push({ user: String(users.length), items: s.items, times: s.times });
    for (const [sku, c] of s.categories) categories.set(sku, [c]);
  }
  return { users, categories };
}
