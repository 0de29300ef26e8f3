// Exposure tokens: the `recommendationId` of every served list carries what attribution needs (slot, experiment
// variant, model version, served-at time), so an impression, click or purchase is credited without a lookup.
// Pure TS (the SDK, Node tools and tests share it). Format `r1.<base64url>`, the payload in bytes:
//   u32 served-at (seconds, big-endian) · 8 random bytes · then slot, variant, model version, each u8 length + UTF-8.
// An empty variant means "no experiment" and an empty model version "no model served" (trending straight from D1).
import { EXPOSURE_SUFFIX_CACHE_MAX_ENTRIES, MAX_RECOMMENDATION_ID_LENGTH } from "../config/limits";
import { IsolateCache } from "../lib/isolate-cache";

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

/** The head: served-at and the random bytes, 12 bytes, so exactly 16 base64 characters and the fields start aligned. */
const HEAD_BYTES = 4 + RANDOM_BYTES;
const head = new Uint8Array(HEAD_BYTES);
const headView = new DataView(head.buffer);

// The fields' encoding per (slot, variant, model version): a handful of combinations serve every list, and the
// head's 12 bytes keep the suffix aligned to whole base64 quanta, so it is encoded once, not on every serve.
const suffixes = new IsolateCache<string, string>({ maxEntries: EXPOSURE_SUFFIX_CACHE_MAX_ENTRIES });

function suffixOf(slot: string, variant: string, model: string): string {
  const key = `${slot}\u0000${variant}\u0000${model}`;
  const hit = suffixes.get(key);
  if (hit !== undefined) return hit;
  const fields = [field(slot, MAX_EXPOSURE_SLOT, "slot"), field(variant, MAX_EXPOSURE_VARIANT, "variant"), field(model, MAX_EXPOSURE_MODEL, "model version")];
  const out = new Uint8Array(3 + fields.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of fields) {
    out[at++] = b.length;
    out.set(b, at);
    at += b.length;
  }
  const encoded = toBase64Url(out);
  suffixes.set(key, encoded, Infinity);
  return encoded;
}

/** Encodes a served list's exposure; `random` is for tests (default: CSPRNG bytes, tokenRandom). */
export function encodeExposure(e: Exposure, random: Uint8Array = tokenRandom()): string {
  const suffix = suffixOf(e.slot, e.variant === NO_VARIANT ? "" : e.variant, e.modelVersion ?? "");
  headView.setUint32(0, Math.max(0, Math.min(0xffffffff, Math.floor(e.servedAt))));
  head.set(random.subarray(0, RANDOM_BYTES), 4);
  return EXPOSURE_PREFIX + toBase64Url(head) + suffix;
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
