// The tracking core: builds events, keeps unsent ones in a first-party queue that survives reloads, sends them in
// batches (keepalive fetch, or a beacon when the page is hidden) and retries failures with jittered backoff.
import { backoffMs, splitBatches } from "./batch";
import { personalizationAllowed, trackingAllowed, type ConsentChoice, type PrivacySignals } from "./consent";
import { uuid } from "./ids";
import { touchSession, type SessionMark } from "./session";
import { Store } from "./store";
import type { ClientEvent } from "./types";

const K = { anon: "edgerec:aid", user: "edgerec:uid", session: "edgerec:sid", queue: "edgerec:q", consent: "edgerec:consent" };
/** Events wait this long for company before a send, so a page's burst of events goes in one request. */
const FLUSH_DELAY_MS = 300;

export type TrackInput = { itemId?: string; properties?: Record<string, string | number | boolean | null>; recommendationId?: string; slot?: string };

export class Tracker {
  readonly store = new Store();
  private signals: PrivacySignals;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private sending = false;
  /** Events tracked while consent is still pending (require-consent sites): kept in memory only. */
  private held: ClientEvent[] = [];

  constructor(
    private readonly endpoint: string,
    readonly key: string,
    signals: Omit<PrivacySignals, "choice">,
  ) {
    // Reading an earlier explicit choice stores nothing; only an allowed visitor gets localStorage writes.
    let choice: ConsentChoice | null = null;
    try {
      choice = JSON.parse(localStorage.getItem(K.consent) ?? "null") as ConsentChoice | null;
    } catch {
      choice = null;
    }
    this.signals = { ...signals, choice };
    this.store.persistent = trackingAllowed(this.signals);
  }

  get allowed(): boolean {
    return trackingAllowed(this.signals);
  }

  get personalized(): boolean {
    return personalizationAllowed(this.signals);
  }

  get anonymousId(): string {
    let id = this.store.get(K.anon);
    if (!id) this.store.set(K.anon, (id = uuid()));
    return id;
  }

  get userId(): string | undefined {
    return this.store.get(K.user) ?? undefined;
  }

  sessionId(now = Date.now()): string {
    const mark = touchSession(this.store.json<SessionMark | null>(K.session, null), now, uuid);
    this.store.set(K.session, JSON.stringify(mark));
    return mark.id;
  }

  track(type: ClientEvent["type"], input: TrackInput = {}): void {
    const pending = this.signals.requireConsent && !this.signals.choice;
    if (!this.allowed && !pending) return;
    const now = Date.now();
    const ctx: NonNullable<ClientEvent["context"]> = {
      url: location.href.slice(0, 2048),
      title: document.title.slice(0, 2048),
      device: /iPad|Tablet/i.test(navigator.userAgent) ? "tablet" : /Mobi/i.test(navigator.userAgent) ? "mobile" : "desktop",
      screen: { width: screen.width, height: screen.height },
      locale: navigator.language.slice(0, 35),
    };
    if (document.referrer) ctx.referrer = document.referrer.slice(0, 2048);
    if (input.recommendationId) ctx.recommendationId = input.recommendationId;
    if (input.slot) ctx.slot = input.slot;
    const e: ClientEvent = { id: uuid(), type, anonymousId: "", sessionId: "", ts: now, context: ctx };
    if (input.itemId) e.itemId = input.itemId;
    if (input.properties) e.properties = input.properties;
    if (pending) {
      this.held.push(e);
      return;
    }
    this.enqueue([e]);
  }

  identify(userId: string): void {
    if (!this.allowed) return;
    this.store.set(K.user, userId);
    this.track("identify");
  }

  /** Records a choice: stored locally, sent to the Worker, and applied to held and queued events. */
  consent(choice: ConsentChoice): void {
    const known = this.store.get(K.anon);
    this.signals.choice = choice;
    if (choice.analytics) {
      this.store.persist();
      this.store.set(K.consent, JSON.stringify(choice));
      const held = this.held;
      this.held = [];
      this.enqueue(held);
    } else {
      // Declined: forget queued events; tell the Worker only if it already knows this visitor. The choice itself
      // is remembered so the next page does not track before the banner runs again.
      this.held = [];
      this.store.set(K.queue, "[]");
      this.store.persistent = false;
      try {
        localStorage.setItem(K.consent, JSON.stringify(choice));
      } catch {
        // nothing to keep it in; the page will ask again
      }
      if (!known) return;
    }
    const body = JSON.stringify({ anonymousId: this.anonymousId, userId: this.userId, ...choice, ts: Date.now() });
    void fetch(`${this.endpoint}/v1/consent?key=${encodeURIComponent(this.key)}`, { method: "POST", body, keepalive: true, headers: { "content-type": "text/plain" } }).catch(() => {});
  }

  private enqueue(events: ClientEvent[]): void {
    if (events.length === 0) return;
    const sessionId = this.sessionId();
    for (const e of events) {
      e.anonymousId = this.anonymousId;
      e.sessionId = sessionId;
      const uid = this.userId;
      if (uid) e.userId = uid;
    }
    this.store.set(K.queue, JSON.stringify([...this.queue(), ...events]));
    this.schedule(FLUSH_DELAY_MS);
  }

  queue(): ClientEvent[] {
    return this.store.json<ClientEvent[]>(K.queue, []);
  }

  private drop(ids: ReadonlySet<string>): void {
    this.store.set(K.queue, JSON.stringify(this.queue().filter((e) => !ids.has(e.id))));
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
  }

  /** Sends everything queued. 2xx and 4xx both settle a batch (a 4xx will never succeed); others retry later. */
  async flush(): Promise<void> {
    if (this.sending || !this.allowed) return;
    const batches = splitBatches(this.queue());
    if (batches.length === 0) return;
    this.sending = true;
    let failed = false;
    try {
      for (const batch of batches) {
        let status = 0;
        try {
          const res = await fetch(this.url(), { method: "POST", body: JSON.stringify({ events: batch }), keepalive: true, headers: { "content-type": "text/plain" } });
          status = res.status;
        } catch {
          status = 0;
        }
        if (status >= 200 && status < 500 && status !== 429) this.drop(new Set(batch.map((e) => e.id)));
        else failed = true;
      }
    } finally {
      this.sending = false;
    }
    if (failed) this.schedule(backoffMs(this.attempt++));
    else this.attempt = 0;
  }

  /** Page hide: hand what is left to the browser as beacons, which outlive the page. */
  flushOnHide(): void {
    if (!this.allowed) return;
    for (const batch of splitBatches(this.queue())) {
      // A string body goes as text/plain, a CORS-safe type, so the beacon needs no preflight.
      if (navigator.sendBeacon?.(this.url(), JSON.stringify({ events: batch }))) this.drop(new Set(batch.map((e) => e.id)));
    }
  }

  private url(): string {
    return `${this.endpoint}/v1/events?key=${encodeURIComponent(this.key)}`;
  }
}
