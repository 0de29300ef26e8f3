// The isolate's memo of served lists: a list is a pure function of its inputs (model version, path, item on screen,
// the slot's shape and k), so a request with the same inputs reuses it for LIST_MEMO_MS instead of running the
// pipeline again. Only lists without a visitor are memoised here (a visitor's lists are cached per visitor:
// src/serving/rec-cache.ts). Each serve still gets its own exposure id.
import { LIST_MEMO_MAX_ENTRIES, LIST_MEMO_MS } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import type { ListItem } from "../recommend/pipeline";
import type { ServeRequest } from "./recommend";

export type MemoList = { items: ListItem[]; personalized: boolean };

const memo = new IsolateCache<string, MemoList>({ maxEntries: LIST_MEMO_MAX_ENTRIES });

/**
 * The key: everything a visitor-free list depends on besides the request's clock (trending's decay moves slowly;
 * LIST_MEMO_MS bounds it). A field that shapes the list but is left out here would be a wrong hit.
 */
export function memoKey(siteId: string, version: string | null, r: ServeRequest): string {
  return JSON.stringify([siteId, version, r.path, r.sessionPath, r.current ?? null, r.rules ?? null, r.weights ?? null, r.sources ?? null, r.kind ?? null, r.k, r.allowUncatalogued ?? null, r.variant ?? null]);
}

export function memoisedList(key: string): MemoList | undefined {
  return memo.get(key);
}

export function memoiseList(key: string, list: MemoList): void {
  memo.set(key, list, LIST_MEMO_MS);
}

/** Tests and catalog writes: forget every memoised list. */
export function clearListMemo(): void {
  memo.clear();
}
