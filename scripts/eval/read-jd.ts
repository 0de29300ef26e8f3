// Reads a JD micro-behaviors sample (one session per line, tokens sku+type+category+interval+dwell) into sessions.
// The files have no absolute times, so sessions are laid end to end in file order on one clock built from the
// time_interval fields; that lets --test-days pick the last sessions as test.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Session } from "./sessions";

export async function readJdSessions(file: string): Promise<Session[]> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  const out: Session[] = [];
  let clock = 0;
  for await (const line of lines) {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const s: Session = { id: String(out.length), items: [], times: [] };
    for (const tok of tokens) {
      const [sku, , , interval] = tok.split("+");
      // Consecutive micro-behaviors on one product are one item view.
      if (sku && s.items[s.items.length - 1] !== sku) {
        s.items.push(sku);
        s.times.push(clock);
      }
      const dt = Number(interval);
      clock += Number.isFinite(dt) && dt > 0 ? dt : 0;
    }
    clock += 1;
    out.push(s);
  }
  return out;
}
