// Building blocks shared by every request schema (and by the browser SDK): bounded ids and texts.
import { z } from "zod";
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH } from "../config/limits";

// Control characters in ids break logs, KV keys and CSV exports; everything else (emails, SKUs with slashes) is fine.
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]+$/;

/** An opaque identifier: visitor, session, user or item id. */
export const idString = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(NO_CONTROL_CHARS, "must not contain control characters");

/** Bounded free text (urls, titles, user agents). */
export const text = z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);

/** An identity proof: hex HMAC-SHA256 of a user id under the site's identity secret (64 lower-case hex digits). */
export const userHashString = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits (HMAC-SHA256 of the user id)");
