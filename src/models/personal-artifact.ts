// Packs the personalization lists into the artifact's family format, so the same codec, sharding and isolate
// cache serve them: family "itemCf" holds item-CF neighbours, "content" content neighbours. Pure (no Workers imports).
import type { ItemLists } from "../recommend/item-cf";
import { ItemVocab } from "../recommend/item-vocab";
import type { Neighbour, PackedLists } from "../recommend/types";
import type { FamilyModel } from "./shards";

/** The personal artifact's families, in stored order; also the names a format-1 shard's two slots had. */
export const PERSONAL_FAMILIES = ["itemCf", "content"] as const;
export type PersonalFamily = (typeof PERSONAL_FAMILIES)[number];

export function packPersonal(cf: ItemLists, content: ItemLists): FamilyModel {
  const vocab = new ItemVocab();
  const intern = (id: string) => vocab.intern(id);
  const byItem = (l: ItemLists) => new Map(l.items.map((id, i) => [id, l.lists[i]!]));
  const cfMap = byItem(cf);
  const contentMap = byItem(content);
  for (const id of [...cf.items, ...content.items]) intern(id);
  for (const lists of [cf.lists, content.lists]) for (const l of lists) for (const n of l) intern(n.itemId);
  const items = vocab.list();
  const pack = (m: Map<string, Neighbour[]>): PackedLists => {
    const offsets = new Uint32Array(items.length + 1);
    items.forEach((id, i) => (offsets[i + 1] = offsets[i]! + (m.get(id)?.length ?? 0)));
    const neighbours = new Uint32Array(offsets[items.length]!);
    const scores = new Float32Array(offsets[items.length]!);
    items.forEach((id, i) => {
      (m.get(id) ?? []).forEach((n, e) => {
        neighbours[offsets[i]! + e] = vocab.get(n.itemId)!;
        scores[offsets[i]! + e] = n.score;
      });
    });
    return { offsets, neighbours, scores };
  };
  return { items: items.slice(), families: { [PERSONAL_FAMILIES[0]]: pack(cfMap), [PERSONAL_FAMILIES[1]]: pack(contentMap) }, popular: [] };
}
