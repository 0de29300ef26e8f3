// One place that wraps the D1 binding in drizzle, so the schema object is attached consistently. The wrapper is
// built once per binding object: drizzle derives its relational config from the schema on every construction,
// which cost the hot read paths about 5% of their CPU when done per request.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

const wrapped = new WeakMap<D1Database, ReturnType<typeof build>>();

function build(d1: D1Database) {
  return drizzle(d1, { schema });
}

export function database(d1: D1Database) {
  let db = wrapped.get(d1);
  if (!db) wrapped.set(d1, (db = build(d1)));
  return db;
}
export type Database = ReturnType<typeof database>;
