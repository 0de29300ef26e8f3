// Starting a tracker in a page, the same for the snippet and the npm package: the browser's privacy signals decide
// what it may do, and what is still queued leaves as beacons when the page is hidden or goes away.
import { browserSignals } from "./consent";
import { Tracker } from "./tracker";

export function startTracker(endpoint: string, key: string, requireConsent: boolean): Tracker {
  const t = new Tracker(endpoint, key, { requireConsent, ...browserSignals(navigator, window as { doNotTrack?: string }) });
  // pagehide is the page going away; a hidden tab may live on (or be killed silently on mobile without pagehide).
  addEventListener("pagehide", () => t.beacon(true));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") t.beacon();
  });
  return t;
}
