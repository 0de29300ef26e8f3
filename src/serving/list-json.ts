// A served list's JSON answer with its items serialised once per list: a memoised list (src/serving/list-memo.ts)
// or an isolate-cached visitor list hands the same items array to every request it answers, so its JSON text is
// kept beside it (by the array's identity, never by value) and only the per-serve fields are serialised each time.
import type { Context } from "hono";
import type { ListItem } from "../recommend/pipeline";

// Lists are never mutated once served (the memo already relies on it), so text cached for an array stays true.
const itemsText = new WeakMap<readonly ListItem[], string>();

function itemsJson(items: readonly ListItem[]): string {
  let text = itemsText.get(items);
  if (text === undefined) {
    text = JSON.stringify(items);
    itemsText.set(items, text);
  }
  return text;
}

/** `body` as JSON, equal to JSON.stringify(body) but for key order (`items` comes last). */
export function listJson(body: { items: readonly ListItem[] } & Record<string, unknown>): string {
  const { items, ...rest } = body;
  const head = JSON.stringify(rest);
  return `${head.length > 2 ? `${head.slice(0, -1)},` : "{"}"items":${itemsJson(items)}}`;
}

/** The route's 200 answer for a list (what c.json would send). */
export function listResponse(c: Context, body: { items: readonly ListItem[] } & Record<string, unknown>): Response {
  return c.body(listJson(body), 200, { "content-type": "application/json" });
}
