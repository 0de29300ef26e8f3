// Admin contract for sites: each site has a public write key and the origins allowed to use it.
import * as z from "zod";
import { MAX_ALLOWED_ORIGINS } from "../config/limits";
import { wellFormedString } from "./common";

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
  .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, - or _")
  .refine((k) => !k.startsWith("sk_") && !k.startsWith("is_"), "must not start with sk_ or is_ (those mark secrets)");

/** Server keys and identity secrets are secrets: long, and marked by their prefix so they are never mistaken. */
const secretString = (prefix: string) =>
  z
    .string()
    .min(32, "must be at least 32 characters")
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, - or _")
    .refine((k) => k.startsWith(prefix), `must start with ${prefix}`);
export const serverKeyString = secretString("sk_");
export const identitySecretString = secretString("is_");

export const siteUpsertSchema = z.strictObject({
  name: wellFormedString().min(1).max(200),
  allowedOrigins: z.array(originString).max(MAX_ALLOWED_ORIGINS).default([]),
  /**
   * "required" (default): a browser's userId counts only with a valid `userHash`; "off": browsers' user ids are
   * trusted as sent, which lets anyone with the public key act as any user (unsafe; for closed test setups only).
   */
  identityVerification: z.enum(["required", "off"]).optional(),
  /**
   * Omit to have them generated (a new site's answer shows them once). Fixed values exist for demos and for
   * migrating from another system; a value the site does not hold yet replaces its keys of that kind at once.
   */
  writeKey: writeKeyString.optional(),
  serverKey: serverKeyString.optional(),
  identitySecret: identitySecretString.optional(),
});

export const KEY_KINDS = ["write", "server", "identity"] as const;

/** POST /admin/sites/:id/keys/rotate. The old credentials of that kind keep working for the overlap. */
export const keyRotateSchema = z.strictObject({
  kind: z.enum(KEY_KINDS),
  /** Seconds the replaced credentials stay valid (0 = revoke at once). Default one day. */
  overlapSeconds: z.number().int().min(0).max(30 * 86_400).default(86_400),
});
