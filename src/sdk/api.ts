// The browser SDK's public types, shared by the embed snippet and the npm package (`edgerec/sdk`). Self-contained
// (no imports), so the package's emitted .d.ts needs nothing else; types.ts checks them against the Worker's schemas.

/** Every event type the Worker accepts (the same list as the API's `type` enum). */
export type EventType = "view" | "click" | "add_to_cart" | "purchase" | "like" | "share" | "dwell" | "impression" | "search" | "identify" | "custom";

/** What an event may carry besides its type; page context (URL, title, device, locale) is added automatically. */
export type TrackInput = {
  /** The item the event is about (required for click, add_to_cart, purchase, like and share). */
  itemId?: string;
  properties?: Record<string, string | number | boolean | null>;
  /** The `recommendationId` of the list a click or impression came from, for attribution. */
  recommendationId?: string;
  /** The slot that showed that list. */
  slot?: string;
};

/** What the page may pass to `consent`: `{ analytics: false, erase: true }` declines and asks for erasure. */
export type ConsentCommand = { analytics: boolean; personalization?: boolean; erase?: boolean };

export type RecommendOptions = {
  /** The slot name (home, product, cart, …): per-slot rules and attribution; default "default". */
  slot?: string;
  /** How many items, default 6. */
  k?: number;
  /** The item on the page, scored as the newest step of the visit. */
  itemId?: string;
};

export type RecItem = {
  id: string;
  score: number;
  /** Why it is recommended: `text` is ready to show ("often viewed with Canyon Pack 4"). */
  reason: { kind: string; itemId?: string; text: string };
  title?: string;
  url?: string;
  image?: string;
};

/** One answer of GET /v1/recommendations; track clicks on its items with its `recommendationId` and `slot`. */
export type RecList = { recommendationId: string; modelVersion: string | null; slot: string; items: RecItem[] };

export type TrackerOptions = {
  /** The Worker's origin, e.g. "https://recs.example.com" (a path is ignored, a relative URL means this page's origin). */
  endpoint: string;
  /** The site's public write key (`pk_…`). */
  key: string;
  /** Store and send nothing until `consent({ analytics: true })` (the snippet's `data-require-consent`). */
  requireConsent?: boolean;
};

/** A tracker made by `createTracker`: one per page (instances share the first-party storage keys). */
export type EdgerecTracker = {
  /** Queues an event; a burst is sent as one batch 300 ms later, unsent events survive reloads and are retried. */
  track(type: EventType, input?: TrackInput): void;
  /** A page view: call it on every route change (and for the first route) of a single-page app. */
  page(input?: TrackInput): void;
  /** Names the signed-in user; `userHash` is the site backend's HMAC proof of the user id (see the README). */
  identify(userId: string, options?: { userHash?: string }): void;
  /** Records the visitor's choice, sends it to the Worker, and releases or discards events held until then. */
  consent(choice: ConsentCommand): void;
  /** Fetches a list for this visitor (personal only if consent allows it). Rejects on a non-2xx answer. */
  recommend(options?: RecommendOptions): Promise<RecList>;
  /**
   * Tracks an event (a click, an add-to-cart) and answers a slot's list that already reflects it, in one round trip
   * when it can (POST /v1/events?recommend=): for in-page widgets that refresh after an interaction.
   */
  trackAndRecommend(type: EventType, input: TrackInput, options?: RecommendOptions): Promise<RecList>;
  /** Sends everything queued now; resolves when the Worker has answered. */
  flush(): Promise<void>;
};
