// The isolate's memo of served lists: a list is a pure function of its inputs (model version, path, item on screen,
// the slot's shape and k), so a request with the same inputs reuses it for LIST_MEMO_MS instead of running the
// pipeline again. Only lists without a visitor are memoised here (a visitor's lists are cached per visitor:
// src/serving/rec-cache.ts). Each serve still gets its own exposure id.
import { LIST_MEMO_MAX_ENTRIES, LIST_MEMO_MS } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";
import type { ListItem } from "../recommend/pipeline";

export type MemoList = { items: ListItem[]; personalized: boolean };

const memo = new IsolateCache<string, MemoList>({ maxEntries: LIST_MEMO_MAX_ENTRIES });

/** Everything a visitor-free list depends on; a field left out here would be a wrong hit. */
export type MemoInputs = {
  siteId: string;
  version: string | null;
  path: readonly string[];
  sessionPath: readonly string[];
  current: string | undefined;
  rules: unknown;
  weights: unknown;
  sources: unknown;
  kind: unknown;
  k: number;
  allowUncatalogued: unknown;
  variant: string | undefined;
};

export function memoKey(i: MemoInputs): string {
  return JSON.stringify([i.siteId, i.version, i.path, i.sessionPath, i.current ?? null, i.rules ?? null, i.weights ?? null, i.sources ?? null, i.kind ?? null, i.k, i.allowUncatalogued ?? null, i.variant ?? null]);
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
