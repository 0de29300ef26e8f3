// Query contracts of the read endpoints. Strict: an unknown parameter is a 400 naming it, never silently ignored.
import { z } from "zod";
import { DEFAULT_K, MAX_K } from "../config/limits";
import { idString } from "./common";

export const kParam = z.coerce
  .number({ error: "must be a number" })
  .int("must be an integer")
  .min(1, "must be at least 1")
  .max(MAX_K, `must be at most ${MAX_K}`)
  .default(DEFAULT_K);

/** `key` may ride in the query string (beacons, preflights); it is checked by requireSite, not here. */
const keyParam = z.string().optional();

export const nextQuerySchema = z.strictObject({ key: keyParam, k: kParam });
export const similarQuerySchema = z.strictObject({ key: keyParam, k: kParam });

export const recommendationsQuerySchema = z.strictObject({
  key: keyParam,
  k: kParam,
  sessionId: idString.optional(),
  anonymousId: idString.optional(),
  userId: idString.optional(),
  /** The item on the page (product slot): scored as the newest step if the session does not have it yet. */
  itemId: idString.optional(),
  slot: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/, "must be 1-64 lowercase letters, digits, - or _")
    .default("default"),
});
