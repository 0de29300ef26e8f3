// POST /v1/consent: a visitor's choice, recorded per anonymous id.
import * as z from "zod";
import { idString } from "./common";

/** The token handed out with a recorded choice (lib/crypto.ts randomToken: 24 bytes, base64url). */
export const consentReceipt = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "must be the receipt token from the previous consent answer");

export const consentSchema = z
  .object({
    anonymousId: idString,
    userId: idString.optional(),
    analytics: z.boolean(),
    personalization: z.boolean(),
    /** Client time of the choice (ms). A later choice wins over an earlier one that arrives late. */
    ts: z.number().int().positive().optional(),
    /** Proof that the caller made the previous choice: required (public key) to change an existing one. */
    receipt: consentReceipt.optional(),
    /** With analytics false: also erase what was stored about this visitor (the forget route, same request). */
    erase: z.boolean().optional(),
  })
  .refine((c) => !c.erase || !c.analytics, { path: ["erase"], message: "erase: true needs analytics: false" });
export type ConsentChoice = z.infer<typeof consentSchema>;
