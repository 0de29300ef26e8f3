// Loads the train/test sessions for the session protocol from either an explicit split or one file plus --test-days.
import type { EvalArgs } from "./args";
import { readJdSessions } from "./read-jd";
import { readEventTable } from "./read-table";
import { filterTest, groupSessions, splitByDays, type Session } from "./sessions";

export async function loadSessions(args: EvalArgs): Promise<{ train: Session[]; test: Session[] }> {
  const read = async (file: string) =>
    args.format === "jd" ? readJdSessions(file) : groupSessions(await readEventTable(file, args.columns));
  if (args.input !== undefined) return splitByDays(await read(args.input), args.testDays);
  if (args.train === undefined || args.test === undefined) throw new Error("missing --train/--test");
  const train = await read(args.train);
  return { train, test: filterTest(train, await read(args.test)) };
}
