// Content similarity from catalog categories and tags (TF-IDF, cosine): works for items nobody has touched yet, so
// a new item can be recommended and a new visitor's first view already has related items.
import type { ItemLists } from "./item-cf";
import { topKIndices } from "./top-k";

export type ContentConfig = {
  /** Neighbours kept per item. */
  k: number;
  /** Tokens in more items than this are too common to generate candidates (their idf is near zero anyway). */
  maxPostings: number;
  /** A category weighs this much more than a tag (categories are curated, tags are noisy). */
  categoryBoost: number;
};

export const DEFAULT_CONTENT_CONFIG: ContentConfig = { k: 30, maxPostings: 5000, categoryBoost: 1.5 };

/**
 * Streaming trainer: `push` every catalog item once (with or without interactions), then `build` per-item top-k
 * lists. Tokens are interned and the item-token matrix lives in typed arrays (CSR), because the inner loop runs
 * ~items x postings times and Map lookups there cost seconds on a 10k-item catalog.
 */
export class ContentTrainer {
  readonly config: ContentConfig;
  private readonly items: string[] = [];
  private readonly tokenIndex = new Map<string, number>();
  private readonly tokenIsCategory: boolean[] = [];
  private tokStart: number[] = [0];
  private tokIds: number[] = [];

  constructor(config: Partial<ContentConfig> = {}) {
    this.config = { ...DEFAULT_CONTENT_CONFIG, ...config };
  }

  /** One catalog item; duplicate labels count once. */
  push(itemId: string, categories: readonly string[], tags: readonly string[]): void {
    this.items.push(itemId);
    const seen = new Set<number>();
    const add = (token: string, isCategory: boolean) => {
      let t = this.tokenIndex.get(token);
      if (t === undefined) {
        t = this.tokenIsCategory.length;
        this.tokenIndex.set(token, t);
        this.tokenIsCategory.push(isCategory);
      }
      if (!seen.has(t)) {
        seen.add(t);
        this.tokIds.push(t);
      }
    };
    for (const c of categories) add(`c:${c}`, true);
    for (const t of tags) add(`t:${t}`, false);
    this.tokStart.push(this.tokIds.length);
  }

  build(): ItemLists {
    const n = this.items.length;
    const nTok = this.tokenIsCategory.length;
    const start = Uint32Array.from(this.tokStart);
    const tok = Uint32Array.from(this.tokIds);
    const df = new Uint32Array(nTok);
    for (let e = 0; e < tok.length; e++) df[tok[e]!]!++;
    // Unit-length TF-IDF rows (binary tf): weight per (item, token) entry.
    const w = new Float64Array(tok.length);
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let e = start[i]!; e < start[i + 1]!; e++) {
        const t = tok[e]!;
        w[e] = Math.log(1 + n / df[t]!) * (this.tokenIsCategory[t] ? this.config.categoryBoost : 1);
        norm += w[e]! * w[e]!;
      }
      norm = Math.sqrt(norm) || 1;
      for (let e = start[i]!; e < start[i + 1]!; e++) w[e]! /= norm;
    }
    // Postings per token (the first maxPostings items in push order), with the item's weight for that token.
    const pStart = new Uint32Array(nTok + 1);
    for (let t = 0; t < nTok; t++) pStart[t + 1] = pStart[t]! + Math.min(df[t]!, this.config.maxPostings);
    const pItem = new Uint32Array(pStart[nTok]!);
    const pW = new Float64Array(pStart[nTok]!);
    const fill = pStart.slice(0, nTok);
    for (let i = 0; i < n; i++) {
      for (let e = start[i]!; e < start[i + 1]!; e++) {
        const t = tok[e]!;
        if (fill[t]! >= pStart[t + 1]!) continue;
        pItem[fill[t]!] = i;
        pW[fill[t]!++] = w[e]!;
      }
    }
    const scores = new Float64Array(n);
    const touched = new Uint32Array(n);
    const cand = new Float64Array(n);
    const lists = new Array<ItemLists["lists"][number]>(n);
    for (let i = 0; i < n; i++) {
      let nt = 0;
      for (let e = start[i]!; e < start[i + 1]!; e++) {
        const t = tok[e]!;
        const wi = w[e]!;
        for (let p = pStart[t]!; p < pStart[t + 1]!; p++) {
          const j = pItem[p]!;
          if (j === i) continue;
          if (scores[j] === 0) touched[nt++] = j; // every weight is > 0, so 0 means "not touched yet"
          scores[j]! += wi * pW[p]!;
        }
      }
      for (let c = 0; c < nt; c++) cand[c] = scores[touched[c]!]!;
      lists[i] = topKIndices(cand, this.config.k, nt).map((c) => ({ itemId: this.items[touched[c]!]!, score: cand[c]! }));
      for (let c = 0; c < nt; c++) scores[touched[c]!] = 0;
    }
    return { items: this.items.slice(), lists };
  }
}
