// POST /v1/consent: records a visitor's analytics / personalization choice (beacon-friendly: text/plain accepted),
// keeps it in the audit history, hands out the receipt needed to change it, applies it to the visitor's live
// sessions at once, and (declined analytics) offers or performs erasure.
import { Hono } from "hono";
import { CONSENT_PUSH_SESSIONS } from "../config/limits";
import type { AppEnv } from "../lib/app-env";
import { isTrusted, requireSite } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { continueInBackground, receiptOf, startErasure, type ErasureReceipt } from "../privacy/erasure";
import { consentSchema } from "../schemas/consent";
import { sessionStub } from "../session/session-client";
import { recentSessionIds, saveConsent, type Consent } from "../storage/consent-repo";

export const consent = new Hono<AppEnv>();

const CONSENT_BODY_BYTES = 4 * 1024;

/** Where a visitor who declined analytics can have what was stored about them erased. */
const ERASURE_OFFER = { method: "POST", path: "/v1/users/me/forget" } as const;

type ConsentAnswer = {
  ok: true;
  anonymousId: string;
  consent: Consent;
  applied: boolean;
  /** Keep it (the snippet stores it next to the anonymous id) and send it with the next change of this choice. */
  receipt: string | null;
  erasure?: typeof ERASURE_OFFER;
  erasureReceipt?: ErasureReceipt;
};

consent.post("/", requireSite, async (c) => {
  const parsed = parseOrThrow(consentSchema, parseJsonText(await readCappedText(c, CONSENT_BODY_BYTES)), "consent");
  // A browser's userId here carries no proof: it is not recorded against the choice (the audit would name a user
  // who may never have made it). The site's backend records consent for its users with the server key.
  const choice = isTrusted(c) || c.get("site").identityVerification === "off" ? parsed : { ...parsed, userId: undefined };
  const siteId = c.get("site").id;
  const saved = await saveConsent(c.env.DB, siteId, choice, isTrusted(c) ? "server" : "browser", Date.now());
  const current = saved.consent;
  if (saved.applied) {
    // Live sessions hold the visitor's path: a decline must hold there from now on, not when they expire.
    const sessionIds = await recentSessionIds(c.env.DB, siteId, choice.anonymousId, CONSENT_PUSH_SESSIONS);
    await Promise.all(
      sessionIds.map((sid) => {
        const stub = sessionStub(c.env, siteId, sid);
        return current.analytics ? stub.setPersonalization(current.personalization) : stub.erase();
      }),
    );
  }
  const answer: ConsentAnswer = { ok: true, anonymousId: choice.anonymousId, consent: current, applied: saved.applied, receipt: saved.receipt };
  if (!current.analytics) answer.erasure = ERASURE_OFFER;
  if (choice.erase) {
    const job = await startErasure(c.env, siteId, "anon", choice.anonymousId);
    if (job.status === "running") c.executionCtx.waitUntil(continueInBackground(c.env, job.id));
    answer.erasureReceipt = receiptOf(job);
  }
  return c.json(answer);
});
