// Splits rows into JSON arrays under a byte budget: ingest binds one JSON text per statement and expands it with
// SQLite's json_each, which sidesteps D1's 100-bound-parameter cap without a statement per handful of rows.

export function jsonChunks<T>(rows: readonly T[], maxBytes: number): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (parts.length > 0 && size + json.length + 1 > maxBytes) {
      chunks.push(`[${parts.join(",")}]`);
      parts = [];
      size = 2;
    }
    parts.push(json);
    size += json.length + 1;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(",")}]`);
  return chunks;
}
