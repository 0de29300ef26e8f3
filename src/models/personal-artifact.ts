// Packs the personal artifact's families (the lists every retrain rebuilds from scratch: item-CF, content, graph,
// whatever the source registry declares) into the artifact's family format, so the same codec, sharding and isolate
// cache serve them. Pure (no Workers imports).
import { ItemVocab } from "../recommend/item-vocab";
import type { FamilyBuild } from "../recommend/sources/types";
import type { Neighbour, PackedLists } from "../recommend/types";
import type { FamilyModel } from "./shards";

/** What a format-1 personal shard's two unnamed slots held; format 2 names its families in the shard. */
export const LEGACY_PERSONAL_FAMILIES = ["itemCf", "content"] as const;

/** One item vocabulary over every family's items and neighbours; each family packed against it, in the given order. */
export function packFamilies(builds: Readonly<Record<string, FamilyBuild>>): FamilyModel {
  const vocab = new ItemVocab();
  const byItem = Object.entries(builds).map(([family, b]) => {
    for (const id of b.items) vocab.intern(id);
    for (const l of b.lists) for (const n of l) vocab.intern(n.itemId);
    return [family, new Map(b.items.map((id, i) => [id, b.lists[i] ?? []]))] as const;
  });
  const items = vocab.list();
  const pack = (m: Map<string, readonly Neighbour[]>): PackedLists => {
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
  return { items: items.slice(), families: Object.fromEntries(byItem.map(([family, m]) => [family, pack(m)])), popular: [] };
}
