// /v1/users: profiles and the data-subject rights on them. GET /:id is a visitor profile: the site's backend (server
// key) and the operator (admin token) read by user id or anonymous id; with only the public write key (visible to
// anyone who opens the page) :id is the caller's own anonymous id, or a user id with that user's identity proof
// (`?userHash=`), and a public view never shows the internal profile id or another device's anonymous id.
// Export and erasure by id need the server key or the admin token; the visitor's own self-service versions take the
// anonymous id in a POST body (never in a URL, where it would end up in logs).
import { Hono, type Context } from "hono";
import { PRIVACY_BODY_BYTES } from "../config/limits";
import type { AppEnv } from "../lib/app-env";
import { assertTrusted, assertUserAccess, isTrusted, requireSite } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { ApiError } from "../lib/errors";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import { continueInBackground, receiptOf, startErasure } from "../privacy/erasure";
import { exportSubject } from "../privacy/export";
import { idString } from "../schemas/common";
import { erasureJobId, exportQuerySchema, forgetBodySchema, selfExportBodySchema } from "../schemas/privacy";
import { database } from "../storage/db";
import { jobById, resolveSubject, type ErasureJob } from "../storage/erasure-repo";
import { loadProfileView, profileIdFor, publicProfileView } from "../storage/profiles-repo";
import { profileQuerySchema } from "../schemas/recommendations";
import { visitorSegment } from "../serving/visitor-segment";

export const users = new Hono<AppEnv>();


/** 200 with the receipt when the job finished, 202 while it runs on (continued after the answer, then by cron). */
function erasureAnswer(c: Context<AppEnv>, job: ErasureJob): Response {
  if (job.status === "running") {
    c.executionCtx.waitUntil(continueInBackground(c.env, job.id));
    return c.json(receiptOf(job), 202);
  }
  return c.json(receiptOf(job), 200);
}

users.get("/erasures/:jobId", requireSite, async (c) => {
  const jobId = parseOrThrow(erasureJobId, c.req.param("jobId"), "job id");
  const job = await jobById(c.env.DB, jobId);
  if (!job || job.siteId !== c.get("site").id) throw new ApiError(404, "erasure_not_found", "no erasure job with this id for this site");
  // A visitor may follow the job they started; jobs of the site's backend need its key.
  if (!job.state.selfService) assertTrusted(c);
  return c.json(receiptOf(job));
});

users.post("/me/forget", requireSite, async (c) => {
  const body = parseOrThrow(forgetBodySchema, parseJsonText(await readCappedText(c, PRIVACY_BODY_BYTES)), "body");
  return erasureAnswer(c, await startErasure(c.env, c.get("site").id, "anon", body.anonymousId));
});

users.post("/me/export", requireSite, async (c) => {
  const body = parseOrThrow(selfExportBodySchema, parseJsonText(await readCappedText(c, PRIVACY_BODY_BYTES)), "body");
  const siteId = c.get("site").id;
  const subject = await resolveSubject(c.env.DB, siteId, "anon", body.anonymousId);
  if (!subject?.profileId) throw new ApiError(404, "profile_not_found", "no profile for this id");
  c.header("cache-control", "private, no-store");
  return c.json(await exportSubject(c.env, siteId, subject, { cursor: body.cursor, ownAnonymousId: body.anonymousId }));
});

users.get("/:id/export", requireSite, async (c) => {
  assertTrusted(c);
  const id = parseOrThrow(idString, c.req.param("id"), "user id");
  const q = parseOrThrow(exportQuerySchema, c.req.query(), "query");
  const siteId = c.get("site").id;
  const subject = await resolveSubject(c.env.DB, siteId, "any", id);
  if (!subject) throw new ApiError(404, "profile_not_found", "no profile for this id");
  c.header("cache-control", "private, no-store");
  return c.json(await exportSubject(c.env, siteId, subject, { cursor: q.cursor }));
});

users.delete("/:id", requireSite, async (c) => {
  assertTrusted(c);
  const id = parseOrThrow(idString, c.req.param("id"), "user id");
  return erasureAnswer(c, await startErasure(c.env, c.get("site").id, "any", id));
});

users.get("/:id", requireSite, async (c) => {
  const id = parseOrThrow(idString, c.req.param("id"), "user id");
  const q = parseOrThrow(profileQuerySchema, c.req.query(), "query");
  const db = database(c.env.DB);
  const siteId = c.get("site").id;
  const trusted = isTrusted(c);
  let profileId: string | undefined;
  if (trusted) {
    profileId = (await profileIdFor(db, siteId, "user", id)) ?? (await profileIdFor(db, siteId, "anon", id));
  } else if (q.userHash !== undefined) {
    await assertUserAccess(c, id, q.userHash);
    profileId = await profileIdFor(db, siteId, "user", id);
  } else {
    profileId = await profileIdFor(db, siteId, "anon", id);
  }
  const view = profileId ? await loadProfileView(db, siteId, profileId) : undefined;
  if (!view) throw new ApiError(404, "profile_not_found", "no profile for this id");
  // The visitor's segment (or "new visitor", said plainly) and behavioural scores (src/recommend/behaviour-score.ts).
  const seg = await visitorSegment(c.env, siteId, profileId!, Date.now(), c.get("site").config);
  if (trusted) return c.json({ ...view, ...seg });
  return c.json({ ...publicProfileView(view, q.userHash !== undefined ? [] : [id]), ...seg });
});
