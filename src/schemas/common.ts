// Building blocks shared by every request schema (and by the browser SDK): bounded ids and texts.
import * as z from "zod";
import { MAX_ID_BYTES, MAX_ID_LENGTH, MAX_RECOMMENDATION_ID_LENGTH, MAX_TEXT_LENGTH } from "../config/limits";

// Control characters in ids break logs, KV keys and CSV exports; everything else (emails, SKUs with slashes) is fine.
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]+$/;

const utf8 = new TextEncoder();

/**
 * A string that survives storage unchanged. A lone UTF-16 surrogate becomes U+FFFD on its way to UTF-8 (D1, KV,
 * the artifact), so two distinct ids ("x\ud800", "x\udbff") would turn into one and break every unique list built
 * from them. Every string that reaches storage or a KV key starts here.
 */
export const wellFormedString = () => z.string().refine((s) => s.isWellFormed(), "must be well-formed Unicode (no lone surrogates)");

/** An opaque identifier: visitor, session, user or item id. */
export const idString = wellFormedString()
  .min(1, "must not be empty")
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(NO_CONTROL_CHARS, "must not contain control characters")
  // A UTF-16 unit is at most 3 UTF-8 bytes: short ids need no encoding (ids are on every hot path).
  .refine((s) => s.length * 3 <= MAX_ID_BYTES || utf8.encode(s).byteLength <= MAX_ID_BYTES, `must be at most ${MAX_ID_BYTES} bytes in UTF-8`);

/** A served list's id (an exposure token, src/recommend/exposure.ts, or an old UUID): ASCII in practice. */
export const recommendationIdString = wellFormedString()
  .min(1, "must not be empty")
  .max(MAX_RECOMMENDATION_ID_LENGTH, `must be at most ${MAX_RECOMMENDATION_ID_LENGTH} characters`)
  .regex(NO_CONTROL_CHARS, "must not contain control characters");

/** Bounded free text (urls, titles, user agents). */
export const text = wellFormedString().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);

/** An identity proof: hex HMAC-SHA256 of a user id under the site's identity secret (64 lower-case hex digits). */
export const userHashString = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits (HMAC-SHA256 of the user id)");
