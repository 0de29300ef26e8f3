// Admin contract for sites: each site has a public write key and the origins allowed to use it.
import { z } from "zod";
import { MAX_ALLOWED_ORIGINS } from "../config/limits";

/** An origin as browsers send it (scheme://host[:port], no path), or "*" for any origin. */
export const originString = z.union([
  z.literal("*"),
  z
    .string()
    .max(256)
    .regex(/^https?:\/\/[^/\s?#]+$/, "must be an origin like https://shop.example (no path), or *"),
]);

export const siteIdString = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lowercase letters, digits, - or _");

/** Write keys are public (they sit in page source) but must be unguessable enough not to collide. */
export const writeKeyString = z
  .string()
  .min(16, "must be at least 16 characters")
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, - or _");

export const siteUpsertSchema = z.object({
  name: z.string().min(1).max(200),
  allowedOrigins: z.array(originString).max(MAX_ALLOWED_ORIGINS).default([]),
  /** Omit to have one generated. Fixed keys exist for demos and for migrating from another system. */
  writeKey: writeKeyString.optional(),
});
