// Reads a session event table (TSV or CSV with a header) into parallel columns, streaming line by line.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

export type EventTable = { session: string[]; item: string[]; time: number[] };

export type ColumnNames = { session?: string; item?: string; time?: string };

const KNOWN: Record<keyof ColumnNames, string[]> = {
  session: ["SessionId", "session_id"],
  item: ["ItemId", "item_id"],
  time: ["Time", "ts"],
};

/** Loads FILE; column names come from `names` or are recognised (SessionId/ItemId/Time, session_id/item_id/ts). */
export async function readEventTable(file: string, names: ColumnNames = {}): Promise<EventTable> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  const out: EventTable = { session: [], item: [], time: [] };
  let sep = "\t";
  let cols: [number, number, number] | null = null;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    if (cols === null) {
      sep = line.includes("\t") ? "\t" : ",";
      const header = line.split(sep).map((h) => h.trim().replace(/^"|"$/g, ""));
      cols = [pick(header, "session", names), pick(header, "item", names), pick(header, "time", names)];
      continue;
    }
    const f = line.split(sep);
    const t = Number(f[cols[2]]);
    if (f.length <= Math.max(...cols) || !Number.isFinite(t)) throw new Error(`${file}:${lineNo}: malformed row`);
    out.session.push(f[cols[0]]);
    out.item.push(f[cols[1]]);
    out.time.push(t);
  }
  if (cols === null) throw new Error(`${file}: empty file`);
  return out;
}

function pick(header: string[], key: keyof ColumnNames, names: ColumnNames): number {
  const wanted = names[key] !== undefined ? [names[key]] : KNOWN[key];
  const at = header.findIndex((h) => wanted.includes(h));
  if (at < 0) throw new Error(`no ${key} column (looked for ${wanted.join(", ")}; header: ${header.join(", ")})`);
  return at;
}
