// Segment Spec messages → edgerec events: THE mapping table (README "Segment and RudderStack" mirrors it), stored
// event ids from messageId, skew-corrected times, item ids and the flat properties that are kept.
import { MAX_PROPERTIES, MAX_PROPERTY_KEY_LENGTH, MAX_PROPERTY_VALUE_LENGTH, MAX_TEXT_LENGTH, SEGMENT_MAX_PRODUCTS } from "../config/limits";
import { idString, recommendationIdString } from "../schemas/common";
import type { EventType } from "../schemas/event-types";
import { checkEventTime, type IngestEvent } from "../schemas/events";
import type { SegmentCall, SegmentMessage } from "../schemas/segment";

/**
 * How an item id is found: `single` from properties.product_id (or sku); `products` one event per entry of
 * properties.products[] (each entry's product_id or sku); `none` no item.
 */
type ItemSource = "single" | "products" | "none";
type Mapping = { type: EventType; items: ItemSource };

/**
 * The e-commerce spec's track events (and the v1 spec's older names), matched case-insensitively. Any other track
 * event is stored as `custom` (its name in properties.event), outside every model.
 */
export const SEGMENT_EVENT_MAP = {
  "product viewed": { type: "view", items: "single" },
  "product clicked": { type: "click", items: "single" },
  "product added": { type: "add_to_cart", items: "single" },
  "product added to wishlist": { type: "like", items: "single" },
  "product shared": { type: "share", items: "single" },
  "order completed": { type: "purchase", items: "products" },
  "products searched": { type: "search", items: "none" },
  "product list viewed": { type: "impression", items: "products" },
  // Segment e-commerce spec v1 names, still sent by older integrations.
  "viewed product": { type: "view", items: "single" },
  "clicked product": { type: "click", items: "single" },
  "added product": { type: "add_to_cart", items: "single" },
  "completed order": { type: "purchase", items: "products" },
  "searched products": { type: "search", items: "none" },
} as const satisfies Record<string, Mapping>;

/** The other calls: page and screen are page views; identify and alias link the user id (identify without one is custom). */
export const SEGMENT_CALL_MAP = {
  page: { type: "view", items: "none" },
  screen: { type: "view", items: "none" },
  identify: { type: "identify", items: "none" },
  alias: { type: "identify", items: "none" },
  group: { type: "custom", items: "none" },
  track: { type: "custom", items: "none" },
} as const satisfies Record<SegmentCall, Mapping>;

const CUSTOM: Mapping = { type: "custom", items: "none" };

/** The mapping of one message (exported for tests and the README table). */
export function mappingOf(m: Pick<SegmentMessage, "type" | "event" | "userId">): Mapping {
  if (m.type === "track") return (SEGMENT_EVENT_MAP as Record<string, Mapping>)[m.event!.trim().toLowerCase()] ?? CUSTOM;
  if (m.type === "identify" && m.userId === undefined) return CUSTOM;
  return SEGMENT_CALL_MAP[m.type];
}

/** A message's events, still without their session when it is to be derived. */
export type MappedMessage = {
  /** The dedup key: messageId as sent, or a hash of the message for clients that send none. */
  messageId: string;
  events: IngestEvent[];
  /** True when the session comes from the server (no context.sessionId). */
  deriveSession: boolean;
};
export type MapProblem = { field: string; message: string };

// UUIDv5 (RFC 9562 §5.5): SHA-1 of a namespace and a name. The namespace is edgerec's own, fixed forever: changing
// it would make every retried message a new event.
const NAMESPACE = hexBytes("5d2c7a3e9b1f4c60a8e4d7b3f0c2a915");
const encoder = new TextEncoder();

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The stored event id of a message (and of its n-th product, for messages that expand): a UUIDv5 of site + key. */
export async function messageEventId(siteId: string, messageId: string, part?: number): Promise<string> {
  // JSON array form keeps ("a:b", "c") and ("a", "b:c") distinct.
  const name = encoder.encode(JSON.stringify(part === undefined ? [siteId, messageId] : [siteId, messageId, part]));
  const data = new Uint8Array(NAMESPACE.length + name.length);
  data.set(NAMESPACE);
  data.set(name, NAMESPACE.length);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", data)).slice(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function sha256Hex(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The event time, skew-corrected as Segment does: the client's clock time (originalTimestamp, else timestamp) moved
 * by the difference between the server's receipt and the client's sentAt. Without sentAt the time is used as sent;
 * without any time it is the receipt time.
 */
export function correctedTime(m: Pick<SegmentMessage, "timestamp" | "originalTimestamp" | "sentAt">, batchSentAt: string | undefined, receivedAt: number): number {
  const clock = m.originalTimestamp ?? m.timestamp;
  if (clock === undefined) return receivedAt;
  const sentAt = m.sentAt ?? batchSentAt;
  const skew = sentAt === undefined ? 0 : receivedAt - Date.parse(sentAt);
  return Math.round(Date.parse(clock) + skew);
}

type Flat = string | number | boolean | null;

/**
 * The stored properties: `event` (the Segment event or call name), then the flat values of the sources that fit the
 * event contract (later sources win); nested values and oversized ones are dropped.
 */
function flatProperties(name: string, ...sources: (Record<string, unknown> | undefined)[]): Record<string, Flat> {
  const out: Record<string, Flat> = { event: name };
  let n = 1;
  for (const source of sources) {
    if (!source) continue;
    for (const [k, v] of Object.entries(source)) {
      if (k === "event" || k.length === 0 || k.length > MAX_PROPERTY_KEY_LENGTH || !k.isWellFormed()) continue;
      const ok =
        v === null ||
        typeof v === "boolean" ||
        (typeof v === "number" && Number.isFinite(v)) ||
        (typeof v === "string" && v.length <= MAX_PROPERTY_VALUE_LENGTH && v.isWellFormed());
      if (!ok) continue;
      if (!(k in out)) {
        if (n >= MAX_PROPERTIES) continue;
        n++;
      }
      out[k] = v as Flat;
    }
  }
  return out;
}

/** An item id from a product object: product_id, else sku (strings or numbers). */
function productIdOf(p: Record<string, unknown>): { id?: string; problem?: string; field: string } {
  for (const field of ["product_id", "sku"] as const) {
    const v = p[field];
    if (v === undefined || v === null) continue;
    const parsed = idString.safeParse(typeof v === "number" && Number.isFinite(v) ? String(v) : v);
    return parsed.success ? { id: parsed.data, field } : { problem: parsed.error.issues[0]!.message, field };
  }
  return { field: "product_id" };
}

const DEVICES = new Set(["desktop", "mobile", "tablet"]);
const MOBILE_OS = new Set(["ios", "android"]);

function contextOf(m: SegmentMessage): IngestEvent["context"] {
  const c = m.context;
  const props = m.properties ?? {};
  const out: NonNullable<IngestEvent["context"]> = {};
  const str = (v: unknown) => (typeof v === "string" && v.length <= MAX_TEXT_LENGTH && v.isWellFormed() ? v : undefined);
  // analytics.js puts url, referrer and title in page properties as well as in context.page.
  const url = c?.page?.url ?? (m.type === "page" ? str(props.url) : undefined);
  const referrer = c?.page?.referrer ?? (m.type === "page" ? str(props.referrer) : undefined);
  const title = c?.page?.title ?? (m.type === "page" ? str(props.title) : undefined);
  if (url) out.url = url;
  if (referrer) out.referrer = referrer;
  if (title) out.title = title;
  if (c?.userAgent) out.userAgent = c.userAgent;
  if (c?.locale) out.locale = c.locale;
  if (c?.timezone) out.timezone = c.timezone;
  if (c?.screen?.width !== undefined && c.screen.height !== undefined) out.screen = { width: c.screen.width, height: c.screen.height };
  const device = c?.device?.type?.toLowerCase();
  if (device) out.device = DEVICES.has(device) ? (device as "desktop" | "mobile" | "tablet") : MOBILE_OS.has(device) ? "mobile" : "other";
  // Attribution: a click on a recommendation carries its id (properties.recommendation_id or recommendationId).
  for (const key of ["recommendation_id", "recommendationId"]) {
    const rec = recommendationIdString.safeParse(props[key]);
    if (rec.success) out.recommendationId = rec.data;
  }
  const slot = idString.safeParse(props.slot);
  if (slot.success && slot.data.length <= 64) out.slot = slot.data;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A RudderStack numeric session id is the session's start time in ms, shared by every visitor who started in the
 * same millisecond, so it is scoped by the anonymous id; string ids are used as sent.
 */
async function explicitSessionId(m: SegmentMessage, anonymousId: string, raw: unknown): Promise<string | undefined> {
  const sessionId = m.context?.sessionId;
  if (sessionId === undefined) return undefined;
  const sentAsNumber = typeof (raw as { context?: { sessionId?: unknown } }).context?.sessionId === "number";
  return sentAsNumber ? `rs-${(await sha256Hex(anonymousId)).slice(0, 16)}-${sessionId}` : sessionId;
}

/**
 * Maps one validated message to its events (one, or one per product), or the problem naming the Segment field.
 * `raw` is the message as parsed from JSON (for the messageId hash of messages that carry none).
 */
export async function mapMessage(
  m: SegmentMessage,
  raw: unknown,
  opts: { siteId: string; receivedAt: number; batchSentAt?: string },
): Promise<MappedMessage | MapProblem> {
  const messageId = m.messageId ?? `sha256:${await sha256Hex(JSON.stringify(raw))}`;
  const ts = correctedTime(m, opts.batchSentAt, opts.receivedAt);
  const timeProblem = checkEventTime(ts, opts.receivedAt);
  if (timeProblem) return { field: m.originalTimestamp !== undefined ? "originalTimestamp" : "timestamp", message: timeProblem };

  // Server-side sources often send only a userId: the visitor is then keyed by it.
  const anonymousId = m.anonymousId ?? m.previousId ?? `user:${m.userId}`;
  const explicit = await explicitSessionId(m, anonymousId, raw);
  const mapping = mappingOf(m);
  const props = m.properties;
  const name = m.type === "track" ? m.event! : m.type;
  const base = {
    type: mapping.type,
    anonymousId,
    ...(m.userId !== undefined ? { userId: m.userId } : {}),
    ...(m.userId !== undefined && m.context?.userHash !== undefined ? { userHash: m.context.userHash } : {}),
    // Derived sessions are filled in after the consent filter; until then the visitor's id stands in.
    sessionId: explicit ?? anonymousId,
    ts,
  };
  const context = contextOf(m);
  const withContext = <E extends object>(e: E) => (context ? { ...e, context } : e);

  if (mapping.items === "products") {
    const products = props?.products;
    if (!Array.isArray(products) || products.length === 0) {
      // An order or list without products still happened: kept as a custom event with its flat properties.
      const event = withContext({ ...base, type: "custom" as const, id: await messageEventId(opts.siteId, messageId), properties: flatProperties(name, props) });
      return { messageId, events: [event], deriveSession: explicit === undefined };
    }
    if (products.length > SEGMENT_MAX_PRODUCTS) return { field: "properties.products", message: `must list at most ${SEGMENT_MAX_PRODUCTS} products` };
    const events: IngestEvent[] = [];
    for (const [i, p] of products.entries()) {
      if (!p || typeof p !== "object" || Array.isArray(p)) return { field: `properties.products[${i}]`, message: "must be an object" };
      const item = productIdOf(p as Record<string, unknown>);
      if (item.id === undefined) return { field: `properties.products[${i}].${item.field}`, message: item.problem ?? "is required (product_id or sku)" };
      const { products: _list, ...order } = props!;
      events.push(
        withContext({
          ...base,
          id: await messageEventId(opts.siteId, messageId, i),
          itemId: item.id,
          properties: flatProperties(name, order, p as Record<string, unknown>),
        }),
      );
    }
    return { messageId, events, deriveSession: explicit === undefined };
  }

  let itemId: string | undefined;
  if (mapping.items === "single") {
    const item = productIdOf(props ?? {});
    if (item.problem) return { field: `properties.${item.field}`, message: item.problem };
    itemId = item.id;
  }
  const properties = flatProperties(name, m.type === "page" || m.type === "screen" ? { name: m.name } : undefined, props);
  const event: IngestEvent = withContext({
    ...base,
    id: await messageEventId(opts.siteId, messageId),
    ...(itemId !== undefined ? { itemId } : {}),
    properties,
  });
  // An item-less click, cart, like or share is invalid in the contract; the shared validation names the field.
  return { messageId, events: [event], deriveSession: explicit === undefined };
}

/** The Segment field behind a field of the event contract, for answers about a mapped event. */
export function segmentFieldOf(field: string): string {
  const known: Record<string, string> = {
    id: "messageId",
    ts: "timestamp",
    itemId: "properties.product_id",
    sessionId: "context.sessionId",
    userHash: "context.userHash",
    "context.url": "context.page.url",
    "context.referrer": "context.page.referrer",
    "context.title": "context.page.title",
  };
  return known[field] ?? field;
}
