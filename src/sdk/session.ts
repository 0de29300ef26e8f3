// Session roll-over: a session ends after 30 minutes without activity (the same idle time as the server's). The
// mark also carries the session's path as tracked here, which reads send as `path` so the Worker needs no read of
// the session's Durable Object (README "Reads close to the floor").
import { CLIENT_PATH_MAX_ITEMS } from "../config/limits";
import type { EventType } from "./api";

export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** `p`: item ids of the session's path steps, oldest first (the newest CLIENT_PATH_MAX_ITEMS). */
export type SessionMark = { id: string; last: number; p?: string[] };

/**
 * Types that extend a session path: the server's event-type table says which (src/schemas/event-types.ts);
 * src/sdk/types.ts fails to compile when this list drifts from it. Written out to keep the table out of the snippet.
 */
export const PATH_EVENT_TYPES = ["view", "click", "add_to_cart", "purchase", "like", "share"] as const satisfies readonly EventType[];

/** The session to use at `now`: the previous one (and its path) if it is still warm, else a new one. */
export function touchSession(prev: SessionMark | null, now: number, newId: () => string, idleMs = SESSION_IDLE_MS): SessionMark {
  if (prev && now - prev.last < idleMs && now >= prev.last - idleMs) return { ...prev, last: now };
  return { id: newId(), last: now };
}

/** The mark with `itemIds` appended to its path, keeping the newest CLIENT_PATH_MAX_ITEMS. */
export function extendPath(mark: SessionMark, itemIds: readonly string[]): SessionMark {
  return itemIds.length ? { ...mark, p: [...(mark.p ?? []), ...itemIds].slice(-CLIENT_PATH_MAX_ITEMS) } : mark;
}

/** The `path` query value, or null when an id holds a comma (not expressible: the Worker reads the session). */
export function pathParam(mark: SessionMark): string | null {
  const p = mark.p ?? [];
  return p.length && !p.some((x) => x.includes(",")) ? p.join(",") : null;
}
