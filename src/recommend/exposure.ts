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

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpadded base64url in one pass (every served list makes one: btoa plus three rewrites cost more than the rest). */
function toBase64Url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = bytes[i]! << 16;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
  } else if (left === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]!;
  }
  return out;
}

/**
 * Random bytes for tokens, drawn from the CSPRNG in blocks rather than one call per served list: the bytes only make
 * ids unique (nothing is secret in a token), and one draw per 64 lists is as random as 64 draws.
 */
const RANDOM_BLOCK = new Uint8Array(64 * RANDOM_BYTES);
let randomAt = RANDOM_BLOCK.length;
function tokenRandom(): Uint8Array {
  if (randomAt + RANDOM_BYTES > RANDOM_BLOCK.length) {
    crypto.getRandomValues(RANDOM_BLOCK);
    randomAt = 0;
  }
  randomAt += RANDOM_BYTES;
  return RANDOM_BLOCK.subarray(randomAt - RANDOM_BYTES, randomAt);
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

/** Encodes a served list's exposure; `random` is for tests (default: CSPRNG bytes, tokenRandom). */
export function encodeExposure(e: Exposure, random: Uint8Array = tokenRandom()): string {
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
