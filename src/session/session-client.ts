// How the Worker reaches a session's Durable Object: the object name scopes session ids by site.
import type { SessionDO } from "./session-do";
import type { ServingPath } from "./types";

export function sessionStub(env: Env, siteId: string, sessionId: string): DurableObjectStub<SessionDO> {
  // JSON array form keeps "a:b" + "c" and "a" + "b:c" distinct.
  return env.SESSIONS.getByName(JSON.stringify([siteId, sessionId]));
}

/**
 * The path a read is served from: the one the request carries (the snippet's `path`; it shapes only the caller's
 * own list, so it is taken as given), else the session object's; null with neither.
 */
export function servingPath(env: Env, siteId: string, sessionId: string | undefined, carried: string[] | undefined): Promise<ServingPath | null> {
  if (carried) return Promise.resolve({ path: carried, personalized: true });
  return sessionId !== undefined ? sessionStub(env, siteId, sessionId).servingPath() : Promise.resolve(null);
}
