// How the Worker reaches a session's Durable Object: the object name scopes session ids by site.
import type { SessionDO } from "./session-do";

export function sessionStub(env: Env, siteId: string, sessionId: string): DurableObjectStub<SessionDO> {
  // JSON array form keeps "a:b" + "c" and "a" + "b:c" distinct.
  return env.SESSIONS.getByName(JSON.stringify([siteId, sessionId]));
}
