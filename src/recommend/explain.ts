// Short, human-readable reasons for recommended items. Pure.
import { EVENT_TYPE_TABLE, type EventType } from "../schemas/event-types";
import type { Reason } from "./types";

/**
 * Reasons of the personalized blend, beyond the session model's. Item-CF: `bought_with` (the visitor bought or
 * carted the item it came from), `because_you_viewed` (viewed, clicked, liked), `because` (type unknown). Content:
 * `similar`. Graph neighbours: `related`. Segment favourites: `segment`. A slot's `pin` that no source scored: `pinned`. Back-fill: `trending` and `trending_in_category` (src/recommend/backfill.ts).
 */
export type BlendReason =
  | Reason
  | { kind: "because" | "similar" | "bought_with" | "because_you_viewed" | "related"; itemId: string }
  | { kind: "segment"; segment?: string }
  | { kind: "pinned" }
  | { kind: "trending_in_category"; category: string };

export type ReasonView = { kind: BlendReason["kind"]; itemId?: string; text: string };

/**
 * The reason for an item-CF candidate, from the history item it came from and that item's interaction type (the
 * event-type table says which types read as "bought with" and which as "because you viewed").
 */
export function historyReason(from: string, fromType?: EventType): BlendReason {
  if (fromType === undefined) return { kind: "because", itemId: from };
  return { kind: EVENT_TYPE_TABLE[fromType].historyReason, itemId: from };
}

/** The item a reason names, if any. */
export function reasonItem(reason: BlendReason): string | undefined {
  return "itemId" in reason ? reason.itemId : undefined;
}

/**
 * The view of `reason` for recommended item `itemId`. `label` turns an item id into what a visitor would recognise
 * (its catalog title), or undefined when there is nothing to show: the reason then names "an item you viewed"
 * rather than a raw id, which may be anything a client sent. A reason naming the item itself (which the sources
 * already avoid) is shown as the generic `viewed`, never as "often viewed with X" under X.
 */
export function explain(reason: BlendReason, label: (itemId: string) => string | undefined, itemId?: string): ReasonView {
  const name = (id: string, fallback: string) => label(id) ?? fallback;
  if (itemId !== undefined && reasonItem(reason) === itemId) return { kind: "viewed", text: "you viewed this before" };
  switch (reason.kind) {
    case "because":
      return { kind: "because", itemId: reason.itemId, text: `because you liked ${name(reason.itemId, "an item you viewed")}` };
    case "bought_with":
      return { kind: "bought_with", itemId: reason.itemId, text: `often bought with ${name(reason.itemId, "an item you bought")}` };
    case "because_you_viewed":
      return { kind: "because_you_viewed", itemId: reason.itemId, text: `because you viewed ${name(reason.itemId, "a related item")}` };
    case "similar":
      return { kind: "similar", itemId: reason.itemId, text: `similar to ${name(reason.itemId, "an item you viewed")}` };
    case "segment":
      return { kind: "segment", text: reason.segment ? `popular with shoppers like you (${reason.segment})` : "popular with shoppers like you" };
    case "trending_in_category":
      return { kind: "trending_in_category", text: `trending in ${reason.category}` };
    case "related":
      return { kind: "related", itemId: reason.itemId, text: `often browsed alongside ${name(reason.itemId, "an item you viewed")}` };
    case "after":
      return { kind: "after", itemId: reason.itemId, text: `after ${name(reason.itemId, "an item you viewed")}` };
    case "with":
      return { kind: "with", itemId: reason.itemId, text: `often viewed with ${name(reason.itemId, "an item you viewed")}` };
    case "trending":
      return { kind: "trending", text: "trending" };
    case "viewed":
      return { kind: "viewed", text: "you viewed this before" };
    case "pinned":
      return { kind: "pinned", text: "featured" };
  }
}
