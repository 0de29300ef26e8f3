// Whether the snippet may store and send anything: an explicit choice wins; otherwise a site that requires consent,
// Global Privacy Control or Do Not Track all mean no.
import type { ConsentCommand } from "./api";

export type { ConsentCommand };
export type ConsentChoice = { analytics: boolean; personalization: boolean };

export type PrivacySignals = { requireConsent: boolean; gpc: boolean; dnt: boolean; choice: ConsentChoice | null };

export function trackingAllowed(s: PrivacySignals): boolean {
  if (s.choice) return s.choice.analytics;
  return !s.requireConsent && !s.gpc && !s.dnt;
}

export function personalizationAllowed(s: PrivacySignals): boolean {
  if (s.choice) return s.choice.personalization && s.choice.analytics;
  return trackingAllowed(s);
}

/** Reads the browser's signals (navigator.globalPrivacyControl, Do Not Track in its several spellings). */
export function browserSignals(nav: Navigator & { globalPrivacyControl?: boolean; msDoNotTrack?: string }, win: { doNotTrack?: string }): { gpc: boolean; dnt: boolean } {
  const dnt = nav.doNotTrack ?? win.doNotTrack ?? nav.msDoNotTrack;
  return { gpc: nav.globalPrivacyControl === true, dnt: dnt === "1" || dnt === "yes" };
}
