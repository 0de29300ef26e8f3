// POST /v1/consent: a visitor's choice, recorded per anonymous id.
import { z } from "zod";
import { idString } from "./common";

export const consentSchema = z.object({
  anonymousId: idString,
  userId: idString.optional(),
  analytics: z.boolean(),
  personalization: z.boolean(),
  /** Client time of the choice (ms). A later choice wins over an earlier one that arrives late. */
  ts: z.number().int().positive().optional(),
});
export type ConsentChoice = z.infer<typeof consentSchema>;
