// The npm package's entry (`import { createTracker } from "edgerec/sdk"`), for single-page apps: the snippet's
// tracker and recommend() with an explicit start instead of a <script> tag. Built by scripts/build-sdk-package.mjs.
import type { EdgerecTracker, TrackerOptions } from "./api";
import { fetchRecommendations, trackAndRecommend } from "./recommend";
import { startTracker } from "./start";

export type { ConsentCommand, EdgerecTracker, EventType, RecItem, RecList, RecommendOptions, TrackerOptions, TrackInput } from "./api";

/**
 * Starts tracking in this page: reads the visitor's stored ids and consent, and sends what is queued when the page
 * is hidden. Unlike the snippet it tracks no page view by itself: call `page()` for each route, the first included.
 * Browser only (it reads localStorage, navigator and document): call it on the client, not during server rendering.
 */
export function createTracker(options: TrackerOptions): EdgerecTracker {
  const endpoint = new URL(options.endpoint, location.href).origin;
  const t = startTracker(endpoint, options.key, options.requireConsent === true);
  return {
    track: (type, input) => t.track(type, input),
    page: (input) => t.track("view", input),
    identify: (userId, o) => t.identify(userId, o?.userHash),
    consent: (choice) => t.consent(choice),
    recommend: (o = {}) => fetchRecommendations(endpoint, t, o),
    trackAndRecommend: (type, input, o = {}) => trackAndRecommend(endpoint, t, type, input, o),
    flush: () => t.flush(),
  };
}
