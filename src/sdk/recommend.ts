// recommend(): one list for this visitor from GET /v1/recommendations, personal only when consent allows it.
// Shared by the snippet's slots and `edgerec.recommend`, and the npm package's `tracker.recommend`.
import type { EventType, RecList, RecommendOptions, TrackInput } from "./api";
import { pathParam } from "./session";
import type { Tracker } from "./tracker";

export type { RecommendOptions };

/**
 * Tracks an event and answers a slot's list that already reflects it: the queue and the list in one request
 * (POST /v1/events?recommend=), or, when that cannot be one request, a send and then a read.
 */
export async function trackAndRecommend(endpoint: string, t: Tracker, type: EventType, input: TrackInput, o: RecommendOptions): Promise<RecList> {
  t.track(type, input);
  if (t.personalized) {
    const q = new URLSearchParams({ recommend: o.slot ?? "default", k: String(o.k ?? 6) });
    if (o.itemId) q.set("itemId", o.itemId);
    const list = await t.sendWithList(`&${q}`);
    if (list) return list as RecList;
  }
  await t.flush();
  return fetchRecommendations(endpoint, t, o);
}

export async function fetchRecommendations(endpoint: string, t: Tracker, o: RecommendOptions): Promise<RecList> {
  const q = new URLSearchParams({ key: t.key, slot: o.slot ?? "default", k: String(o.k ?? 6) });
  if (o.itemId) q.set("itemId", o.itemId);
  if (t.allowed && t.personalized) {
    q.set("anonymousId", t.anonymousId);
    const session = t.session();
    q.set("sessionId", session.id);
    // The path tracked here: the Worker then needs no read of the session object (the fast read).
    const path = pathParam(session);
    if (path) q.set("path", path);
    // A user id is only worth sending with its proof: without one the Worker answers 401.
    if (t.userId && t.userHash) {
      q.set("userId", t.userId);
      q.set("userHash", t.userHash);
    }
  }
  const res = await fetch(`${endpoint}/v1/recommendations?${q}`);
  if (!res.ok) throw new Error(`edgerec: recommendations ${res.status}`);
  return (await res.json()) as RecList;
}
