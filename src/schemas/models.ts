// Contracts of /admin/models (src/routes/admin-models.ts): the site path parameter and the canary call's body.
// Shared by the route and the OpenAPI document.
import * as z from "zod";
import { canaryShare } from "./site-config";
import { siteIdString } from "./sites";

export const modelSiteParam = siteIdString;

/** A version name as train.ts makes them (`v` + base-36 time + suffix). */
export const modelVersionString = z.string().regex(/^v[a-z0-9]{1,40}$/, "must be a kept model version, like v1abc2de3f");

/**
 * POST /admin/models/:site/canary. `version`: a kept version becomes the canary. Without it, `build` makes a new
 * one: "retrain" (the default) trains now; "random" (simulation and tests only) copies the current version with
 * every list replaced by random catalog items, a deliberately bad candidate for the guardrail to catch.
 * `share`: the visitors' share; default the site's canary policy's, else CANARY_DEFAULT_SHARE.
 */
export const canaryBodySchema = z
  .strictObject({
    version: modelVersionString.optional(),
    build: z.enum(["retrain", "random"]).optional(),
    share: canaryShare.optional(),
  })
  .refine((b) => !(b.version !== undefined && b.build !== undefined), { path: ["build"], message: "must be absent when version is given" });
export type CanaryBody = z.infer<typeof canaryBodySchema>;
