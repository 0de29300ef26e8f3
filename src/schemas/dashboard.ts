// Query and form contracts of the operator dashboard (src/dashboard/): strict, so a stray parameter is a 400 naming it.
import * as z from "zod";
import { DASHBOARD_MAX_TOKEN_LENGTH } from "../config/limits";
import { siteIdString } from "./sites";

/** The notices a dashboard action redirects with (fixed codes: the page never echoes text from the URL). */
export const DASHBOARD_NOTICES = {
  started: "Experiment started.",
  stopped: "Experiment stopped.",
  winner: "Winner declared: the experiment is stopped and the variant's weights and rules are in the site config.",
  rolled_back: "Rolled back: the older version is served now.",
} as const;

/** Every dashboard page: which site to show (default: the first site), and the notice of the action just done. */
export const dashboardPageQuery = z.strictObject({
  site: siteIdString.optional(),
  notice: z.enum(Object.keys(DASHBOARD_NOTICES) as [keyof typeof DASHBOARD_NOTICES]).optional(),
});

/** The sign-in form (application/x-www-form-urlencoded). */
export const signInForm = z.strictObject({ token: z.string().min(1, "is required").max(DASHBOARD_MAX_TOKEN_LENGTH) });
