// Query contracts of the /admin model and metrics routes (strict: an unknown parameter is a 400 naming it). Shared by
// routes/admin.ts and the OpenAPI document (src/openapi/routes.ts).
import * as z from "zod";
import { METRICS_MAX_DAYS } from "../config/limits";
import { slotName } from "./site-config";
import { siteIdString } from "./sites";

/** GET /admin/models, GET /admin/segments, POST /admin/models/rollback: one site. */
export const siteQuery = z.strictObject({ site: siteIdString });
/** GET /admin/sources: the registry, with one site's own weights when `site` is given. */
export const optionalSiteQuery = z.strictObject({ site: siteIdString.optional() });
/** POST /admin/retrain: one site (all without `site`); `scratch=true` recounts the raw log. */
export const retrainQuery = z.strictObject({ site: siteIdString.optional(), scratch: z.enum(["true", "false"]).optional() });

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "must be a real calendar date");

/** GET /admin/metrics: one site's rollups for days from..to (UTC, inclusive, at most METRICS_MAX_DAYS), one slot or all. */
export const metricsQuery = z
  .strictObject({ site: siteIdString, from: day, to: day, slot: slotName.optional() })
  .superRefine((q, ctx) => {
    const days = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000 + 1;
    if (Number.isNaN(days)) return;
    if (days < 1) ctx.addIssue({ code: "custom", path: ["from"], message: "must not be after `to`" });
    else if (days > METRICS_MAX_DAYS) ctx.addIssue({ code: "custom", path: ["to"], message: `must be at most ${METRICS_MAX_DAYS} days after \`from\` (inclusive)` });
  });
