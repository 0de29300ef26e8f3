// Short, human-readable reasons for recommended items. Pure.
import type { Reason } from "./types";

export type ReasonView = { kind: Reason["kind"] | "similar"; itemId?: string; text: string };

/** `label` turns an item id into what a visitor would recognise (its catalog title, or the id). */
export function explain(reason: Reason, label: (itemId: string) => string): ReasonView {
  switch (reason.kind) {
    case "after":
      return { kind: "after", itemId: reason.itemId, text: `after ${label(reason.itemId)}` };
    case "with":
      return { kind: "with", itemId: reason.itemId, text: `often viewed with ${label(reason.itemId)}` };
    case "trending":
      return { kind: "trending", text: "trending" };
  }
}
