// Exposure tokens: the `recommendationId` of every served list carries what attribution needs (slot, experiment
// variant, model version, served-at time), so an impression, click or purchase is credited without a lookup.
// Pure TS (the SDK, Node tools and tests share it). Format `r1.<base64url>`, the payload in bytes:
//   u32 served-at (seconds, big-endian) · 8 random bytes · then slot, variant, model version, each u8 length + UTF-8.
// An empty variant means "no experiment" and an empty model version "no model served" (trending straight from D1).
import { MAX_RECOMMENDATION_ID_LENGTH } from "../config/limits";

export const EXPOSURE_PREFIX = "r1.";
/** The variant of a list served outside any experiment. */
export const NO_VARIANT = "none";
/** Field caps: slot names are 1-64 characters (schemas/recommendations.ts); variants and versions are short ids. */
export const MAX_EXPOSURE_SLOT = 64;
export const MAX_EXPOSURE_VARIANT = 32;
export const MAX_EXPOSURE_MODEL = 32;
const RANDOM_BYTES = 8;

export type Exposure = {
  slot: string;
  /** NO_VARIANT outside an experiment. */
  variant: string;
  modelVersion: string | null;
  /** Served-at time, whole seconds since the epoch. */
  servedAt: number;
};

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  try {
    const bin = atob(s.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

function field(s: string, max: number, name: string): Uint8Array {
  const b = utf8.encode(s);
  if (b.length > max) throw new RangeError(`exposure ${name} longer than ${max} bytes`);
  return b;
}

/** Encodes a served list's exposure; `random` is for tests (default: crypto.getRandomValues). */
export function encodeExposure(e: Exposure, random: Uint8Array = crypto.getRandomValues(new Uint8Array(RANDOM_BYTES))): string {
  const slot = field(e.slot, MAX_EXPOSURE_SLOT, "slot");
  const variant = field(e.variant === NO_VARIANT ? "" : e.variant, MAX_EXPOSURE_VARIANT, "variant");
  const model = field(e.modelVersion ?? "", MAX_EXPOSURE_MODEL, "model version");
  const out = new Uint8Array(4 + RANDOM_BYTES + 3 + slot.length + variant.length + model.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.max(0, Math.min(0xffffffff, Math.floor(e.servedAt))));
  out.set(random.subarray(0, RANDOM_BYTES), 4);
  let at = 4 + RANDOM_BYTES;
  for (const b of [slot, variant, model]) {
    out[at++] = b.length;
    out.set(b, at);
    at += b.length;
  }
  return EXPOSURE_PREFIX + toBase64Url(out);
}

/** The exposure a recommendation id carries, or null for anything else (old UUID ids, foreign or damaged ids). */
export function decodeExposure(id: string): Exposure | null {
  if (!id.startsWith(EXPOSURE_PREFIX) || id.length > MAX_RECOMMENDATION_ID_LENGTH) return null;
  const bytes = fromBase64Url(id.slice(EXPOSURE_PREFIX.length));
  if (!bytes || bytes.length < 4 + RANDOM_BYTES + 3) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const servedAt = view.getUint32(0);
  let at = 4 + RANDOM_BYTES;
  const parts: string[] = [];
  for (const max of [MAX_EXPOSURE_SLOT, MAX_EXPOSURE_VARIANT, MAX_EXPOSURE_MODEL]) {
    const len = bytes[at++];
    if (len === undefined || len > max || at + len > bytes.length) return null;
    try {
      parts.push(utf8Strict.decode(bytes.subarray(at, at + len)));
    } catch {
      return null;
    }
    at += len;
  }
  // Trailing bytes mean a different format, not this one.
  if (at !== bytes.length) return null;
  const [slot, variant, model] = parts as [string, string, string];
  if (slot === "" || servedAt === 0) return null;
  return { slot, variant: variant === "" ? NO_VARIANT : variant, modelVersion: model === "" ? null : model, servedAt };
}

/** The UTC day (YYYY-MM-DD) a list was served on: the rollups' day. */
export function exposureDay(e: Exposure): string {
  return new Date(e.servedAt * 1000).toISOString().slice(0, 10);
}
