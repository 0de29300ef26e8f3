// Query and form contracts of the operator dashboard (src/dashboard/): strict, so a stray parameter is a 400 naming it.
import * as z from "zod";
import { DASHBOARD_MAX_TOKEN_LENGTH } from "../config/limits";
import { KEY_KINDS, siteIdString } from "./sites";

/** The notices a dashboard action redirects with (fixed codes: the page never echoes text from the URL). */
export const DASHBOARD_NOTICES = {
  started: "Experiment started.",
  stopped: "Experiment stopped.",
  winner: "Winner declared: the experiment is stopped and the variant's weights and rules are in the site config.",
  rolled_back: "Rolled back: the older version is served now.",
  canary_rolled_back: "Canary rolled back: every visitor is served the current version again.",
  canary_published: "Canary published: its share of visitors is served the new version; the guardrail watches it.",
  canary_promoted: "Guardrail: the canary is no worse, so it is promoted and served to every visitor.",
  canary_failed: "Guardrail: the canary is rolled back (see the decision history for its figures).",
  canary_waiting: "Guardrail: no decision yet; the reading below says why.",
} as const;

/** Every dashboard page: which site to show (default: the first site), and the notice of the action just done. */
export const dashboardPageQuery = z.strictObject({
  site: siteIdString.optional(),
  notice: z.enum(Object.keys(DASHBOARD_NOTICES) as [keyof typeof DASHBOARD_NOTICES]).optional(),
});

/** The sign-in form (application/x-www-form-urlencoded). */
export const signInForm = z.strictObject({ token: z.string().min(1, "is required").max(DASHBOARD_MAX_TOKEN_LENGTH) });

/** Declare-winner form: the variant's name (the JSON API validates it against the experiment). */
export const winnerForm = z.strictObject({ variant: z.string().min(1, "is required").max(64) });

/** Publish-canary form: the visitors' share in percent, as text (the JSON API checks the range). */
export const canaryForm = z.strictObject({
  share: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, "must be a percentage such as 10 or 2.5"),
});

/** Key-rotation form: which credential, and how long the replaced one stays valid (seconds, as text in a form). */
export const rotateForm = z.strictObject({
  kind: z.enum(KEY_KINDS),
  overlapSeconds: z.string().regex(/^\d{1,9}$/, "must be a whole number of seconds").optional(),
});
