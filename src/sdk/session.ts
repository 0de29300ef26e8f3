// Session roll-over: a session ends after 30 minutes without activity (the same idle time as the server's).

export const SESSION_IDLE_MS = 30 * 60 * 1000;

export type SessionMark = { id: string; last: number };

/** The session to use at `now`: the previous one if it is still warm, else a new one. */
export function touchSession(prev: SessionMark | null, now: number, newId: () => string, idleMs = SESSION_IDLE_MS): SessionMark {
  if (prev && now - prev.last < idleMs && now >= prev.last - idleMs) return { id: prev.id, last: now };
  return { id: newId(), last: now };
}
