// POST /v1/consent: records a visitor's analytics / personalization choice (beacon-friendly: text/plain accepted).
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { consentSchema } from "../schemas/consent";
import { saveConsent } from "../storage/consent-repo";

export const consent = new Hono<AppEnv>();

const CONSENT_BODY_BYTES = 4 * 1024;

consent.post("/", requireSite, async (c) => {
  const choice = parseOrThrow(consentSchema, parseJsonText(await readCappedText(c, CONSENT_BODY_BYTES)), "consent");
  const stored = await saveConsent(c.env.DB, c.get("site").id, choice, Date.now());
  return c.json({ ok: true, anonymousId: choice.anonymousId, consent: stored });
});
