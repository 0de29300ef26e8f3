// The tracking core: builds events, keeps unsent ones in a first-party queue that survives reloads, sends them in
// batches (keepalive fetch, or a beacon when the page goes away) and retries failures with jittered backoff.
import { backoffMs, splitBatches } from "./batch";
import { personalizationAllowed, trackingAllowed, type ConsentChoice, type ConsentCommand, type PrivacySignals } from "./consent";
import { uuid } from "./ids";
import { extendPath, PATH_EVENT_TYPES, touchSession, type SessionMark } from "./session";
import { Store } from "./store";
import type { EventType, TrackInput } from "./api";
import type { ClientEvent } from "./types";

// `receipt`: the token the Worker answered the last consent choice with; changing that choice needs it.
const K = { anon: "edgerec:aid", user: "edgerec:uid", proof: "edgerec:uh", session: "edgerec:sid", queue: "edgerec:q", consent: "edgerec:consent", receipt: "edgerec:cr" };
/** Events wait this long for company before a send, so a page's burst of events goes in one request. */
const FLUSH_DELAY_MS = 300;

export type { TrackInput };

export class Tracker {
  readonly store = new Store();
  #signals: PrivacySignals;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  /** After a failed send, no scheduled send before this time (new events must not cut the backoff short). */
  #retryAt = 0;
  /** Ids in a request that has not answered yet: this page never puts an event on the wire twice. */
  #inflight = new Set<string>();
  /** Events tracked while consent is still pending (require-consent sites): kept in memory only. */
  #held: ClientEvent[] = [];

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
    this.#signals = { ...signals, choice };
    this.store.persistent = trackingAllowed(this.#signals);
  }

  get allowed(): boolean {
    return trackingAllowed(this.#signals);
  }

  get personalized(): boolean {
    return personalizationAllowed(this.#signals);
  }

  /** A require-consent site before the visitor chose: events wait in memory for the answer. */
  get #pending(): boolean {
    return this.#signals.requireConsent && !this.#signals.choice;
  }

  get anonymousId(): string {
    let id = this.store.get(K.anon);
    if (!id) this.store.set(K.anon, (id = uuid()));
    return id;
  }

  get userId(): string | undefined {
    return this.store.get(K.user) ?? undefined;
  }

  /** The site backend's proof for userId (HMAC of it under the identity secret); without it userId is ignored. */
  get userHash(): string | undefined {
    return this.store.get(K.proof) ?? undefined;
  }

  sessionId(now = Date.now()): string {
    return this.session(now).id;
  }

  /** The current session (rolled over when idle), with `steps` added to its path. */
  session(now = Date.now(), steps: string[] = []): SessionMark {
    const mark = extendPath(touchSession(this.store.json<SessionMark | null>(K.session, null), now, uuid), steps);
    this.store.set(K.session, JSON.stringify(mark));
    return mark;
  }

  track(type: EventType, input: TrackInput = {}): void {
    if (!this.allowed && !this.#pending) return;
    const ua = navigator.userAgent;
    const ctx: NonNullable<ClientEvent["context"]> = {
      url: location.href.slice(0, 2048),
      title: document.title.slice(0, 2048),
      device: /iPad|Tablet/i.test(ua) ? "tablet" : /Mobi/i.test(ua) ? "mobile" : "desktop",
      screen: { width: screen.width, height: screen.height },
      locale: navigator.language.slice(0, 35),
    };
    if (document.referrer) ctx.referrer = document.referrer.slice(0, 2048);
    if (input.recommendationId) ctx.recommendationId = input.recommendationId;
    if (input.slot) ctx.slot = input.slot;
    const e: ClientEvent = { id: uuid(), type, anonymousId: "", sessionId: "", ts: Date.now(), context: ctx };
    if (input.itemId) e.itemId = input.itemId;
    if (input.properties) e.properties = input.properties;
    if (this.#pending) this.#held.push(e);
    else this.#enqueue([e]);
  }

  identify(userId: string, userHash?: string): void {
    if (!this.allowed && !this.#pending) return;
    this.store.set(K.user, userId);
    if (userHash) this.store.set(K.proof, userHash);
    else this.store.clear([K.proof]);
    this.track("identify");
  }

  /**
   * Records a choice: stored locally, sent to the Worker, and applied to held and queued events. `erase: true` with
   * a decline also asks the Worker to erase what it stored about this browser.
   */
  consent(input: ConsentCommand): void {
    // Only an id this browser already stored can be known to the Worker; a decline never mints a new one.
    const known = this.store.get(K.anon);
    const receipt = this.store.get(K.receipt) ?? undefined;
    const choice: ConsentChoice = { analytics: input.analytics, personalization: input.analytics && !!input.personalization };
    this.#signals.choice = choice;
    if (choice.analytics) {
      this.store.persist();
      const held = this.#held;
      this.#held = [];
      this.#enqueue(held);
    } else {
      // Declined: forget the queue and the identifiers, in memory and in localStorage.
      this.#held = [];
      clearTimeout(this.#timer);
      this.store.clear([K.anon, K.user, K.proof, K.session, K.queue, K.receipt]);
    }
    // The choice itself is kept (even a refusal), so the next page does not track before the banner runs again.
    try {
      localStorage.setItem(K.consent, JSON.stringify(choice));
    } catch {
      // nothing to keep it in; the page will ask again
    }
    const anonymousId = choice.analytics ? this.anonymousId : known;
    if (!anonymousId) return;
    const erase = !choice.analytics && input.erase ? true : undefined;
    const body = JSON.stringify({ anonymousId, userId: choice.analytics ? this.userId : undefined, ...choice, ts: Date.now(), receipt, erase });
    fetch(`${this.endpoint}/v1/consent?key=${encodeURIComponent(this.key)}`, { method: "POST", body, keepalive: true })
      .then((r) => r.json() as Promise<{ receipt?: string | null }>)
      // Kept only while this browser keeps its ids (a decline forgets both).
      .then((a) => a.receipt && this.#signals.choice?.analytics && this.store.set(K.receipt, a.receipt))
      .catch(() => {});
  }

  #enqueue(events: ClientEvent[]): void {
    if (events.length === 0) return;
    const types: readonly string[] = PATH_EVENT_TYPES;
    const sessionId = this.session(Date.now(), events.flatMap((e) => (e.itemId && types.includes(e.type) ? [e.itemId] : []))).id;
    const anonymousId = this.anonymousId;
    const userId = this.userId;
    const userHash = this.userHash;
    for (const e of events) {
      e.anonymousId = anonymousId;
      e.sessionId = sessionId;
      if (userId) e.userId = userId;
      if (userId && userHash) e.userHash = userHash;
    }
    this.store.set(K.queue, JSON.stringify([...this.queue(), ...events]));
    this.#schedule(Math.max(FLUSH_DELAY_MS, this.#retryAt - Date.now()));
  }

  queue(): ClientEvent[] {
    return this.store.json<ClientEvent[]>(K.queue, []);
  }

  #unsent(): ClientEvent[] {
    return this.queue().filter((e) => !this.#inflight.has(e.id));
  }

  #drop(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.store.set(K.queue, JSON.stringify(this.queue().filter((e) => !gone.has(e.id))));
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), ms);
  }

  /**
   * Sends everything queued and not already on its way. 2xx and 4xx both settle a batch (a 4xx will never
   * succeed); network errors, 429 and 5xx keep it queued for a retry after a jittered backoff.
   */
  async flush(): Promise<void> {
    if (!this.allowed) return;
    let failed = false;
    /** The longest Retry-After (ms) a 429 asked for in this round: the backoff never retries sooner. */
    let asked = 0;
    // One request at a time: keepalive requests share a 64 KB in-flight budget per page.
    for (const batch of splitBatches(this.#unsent())) {
      const r = await this.#post(batch, "");
      if (r.retry) {
        failed = true;
        asked = Math.max(asked, r.retryAfterMs);
      }
    }
    this.#settle(failed, asked);
  }

  /**
   * Sends the queue now in one request that also asks for a slot's list (`query`: recommend, k, itemId), and answers
   * that list, scored from the session that already holds these events: a click and its refreshed list in one round
   * trip. Null when that cannot be one request (tracking off, nothing queued, more than one batch or session) or the
   * send failed: the caller then reads the list on its own.
   */
  async sendWithList(query: string): Promise<unknown> {
    const unsent = this.allowed ? this.#unsent() : [];
    const batches = splitBatches(unsent);
    if (batches.length !== 1 || unsent.some((e) => e.sessionId !== unsent[0]!.sessionId)) return null;
    clearTimeout(this.#timer);
    const r = await this.#post(batches[0]!, query);
    this.#settle(r.retry, r.retryAfterMs);
    return r.body?.recommendations ?? null;
  }

  async #post(batch: ClientEvent[], query: string): Promise<{ retry: boolean; retryAfterMs: number; body?: { recommendations?: unknown } }> {
    const ids = batch.map((e) => e.id);
    for (const id of ids) this.#inflight.add(id);
    let status = 0;
    let retryAfterMs = 0;
    let body: { recommendations?: unknown } | undefined;
    try {
      // text/plain is a CORS-safelisted type: no preflight round trip before each batch.
      const res = await fetch(this.#url() + query, { method: "POST", body: JSON.stringify({ events: batch }), keepalive: true });
      status = res.status;
      if (status === 429) retryAfterMs = 1000 * (Number(res.headers.get("retry-after")) || 0);
      if (res.ok && query) body = (await res.json()) as typeof body;
    } catch {
      status = 0;
    }
    for (const id of ids) this.#inflight.delete(id);
    const retry = !(status >= 200 && status < 500 && status !== 429);
    if (!retry) this.#drop(ids);
    return { retry, retryAfterMs, body };
  }

  #settle(failed: boolean, asked: number): void {
    if (failed) {
      const wait = Math.max(backoffMs(this.#attempt++), asked);
      this.#retryAt = Date.now() + wait;
      this.#schedule(wait);
    } else {
      this.#attempt = 0;
      this.#retryAt = 0;
    }
  }

  /**
   * Hands the queue to the browser as beacons, which outlive the page: on page hide, and on a click that is about
   * to navigate. On page hide, requests still in flight are keepalive fetches the browser finishes too, so they
   * leave the stored queue as well; the next page must not send them a second time.
   */
  beacon(hiding = false): void {
    if (!this.allowed) return;
    for (const batch of splitBatches(this.#unsent())) {
      // A string body goes as text/plain, a CORS-safelisted type, so the beacon needs no preflight.
      if (navigator.sendBeacon?.(this.#url(), JSON.stringify({ events: batch }))) this.#drop(batch.map((e) => e.id));
    }
    if (hiding) this.#drop([...this.#inflight]);
  }

  #url(): string {
    return `${this.endpoint}/v1/events?key=${encodeURIComponent(this.key)}`;
  }
}
