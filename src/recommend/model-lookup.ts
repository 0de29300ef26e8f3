// Reads one item's lists out of a packed in-memory model, in the NeighbourList shape the scorer and codec use.
import type { Neighbour, NeighbourList, PackedLists, SessionModel } from "./types";

/** Item i's lists as objects (allocated per call: meant for the few items of a path, or one shard at a time). */
export function listsOf(model: SessionModel, i: number): NeighbourList {
  return { after: unpack(model.after, i, model.items), with: unpack(model.with, i, model.items) };
}

/** The scorer's lookup over an in-memory model (no artifact round trip). */
export function modelLookup(model: SessionModel): (itemId: string) => NeighbourList | undefined {
  const index = new Map<string, number>();
  model.items.forEach((id, i) => index.set(id, i));
  return (itemId) => {
    const i = index.get(itemId);
    return i === undefined ? undefined : listsOf(model, i);
  };
}

export function unpack(p: PackedLists, i: number, items: readonly string[]): Neighbour[] {
  const out: Neighbour[] = [];
  for (let e = p.offsets[i]; e < p.offsets[i + 1]; e++) out.push({ itemId: items[p.neighbours[e]], score: p.scores[e] });
  return out;
}
