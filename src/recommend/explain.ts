// Short, human-readable reasons for recommended items. Pure.
import type { Reason } from "./types";

/** Reasons of the personalized blend, beyond the session model's. */
export type BlendReason = Reason | { kind: "because" | "similar"; itemId: string } | { kind: "segment" } | { kind: "trending_in_category"; category: string };

export type ReasonView = { kind: BlendReason["kind"]; itemId?: string; text: string };

/** `label` turns an item id into what a visitor would recognise (its catalog title, or the id). */
export function explain(reason: BlendReason, label: (itemId: string) => string): ReasonView {
  switch (reason.kind) {
    case "because":
      return { kind: "because", itemId: reason.itemId, text: `because you liked ${label(reason.itemId)}` };
    case "similar":
      return { kind: "similar", itemId: reason.itemId, text: `similar to ${label(reason.itemId)}` };
    case "segment":
      return { kind: "segment", text: "popular with shoppers like you" };
    case "trending_in_category":
      return { kind: "trending_in_category", text: `trending in ${reason.category}` };
    case "after":
      return { kind: "after", itemId: reason.itemId, text: `after ${label(reason.itemId)}` };
    case "with":
      return { kind: "with", itemId: reason.itemId, text: `often viewed with ${label(reason.itemId)}` };
    case "trending":
      return { kind: "trending", text: "trending" };
  }
}
