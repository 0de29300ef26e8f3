// Query contracts of the /admin model routes (strict: an unknown parameter is a 400 naming it). Shared by
// routes/admin.ts and the OpenAPI document (src/openapi/routes.ts).
import * as z from "zod";
import { siteIdString } from "./sites";

/** GET /admin/models, GET /admin/segments, POST /admin/models/rollback: one site. */
export const siteQuery = z.strictObject({ site: siteIdString });
/** GET /admin/sources: the registry, with one site's own weights when `site` is given. */
export const optionalSiteQuery = z.strictObject({ site: siteIdString.optional() });
/** POST /admin/retrain: one site (all without `site`); `scratch=true` recounts the raw log. */
export const retrainQuery = z.strictObject({ site: siteIdString.optional(), scratch: z.enum(["true", "false"]).optional() });
