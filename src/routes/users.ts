// GET /v1/users/:id: a visitor profile. The site's backend (server key) and the operator (admin token) read by user
// id or anonymous id. With only the public write key (visible to anyone who opens the page), `:id` is the caller's
// own anonymous id, or a user id together with that user's identity proof (`?userHash=`); a public view never
// shows the internal profile id or another device's anonymous id.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { assertUserAccess, isTrusted, requireSite } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import { idString } from "../schemas/common";
import { profileQuerySchema } from "../schemas/recommendations";
import { database } from "../storage/db";
import { loadProfileView, profileIdFor, type ProfileView } from "../storage/profiles-repo";

export const users = new Hono<AppEnv>();

/** What a browser sees of a profile: no profile id (it can embed an anonymous id), only the ids it already holds. */
export function publicProfileView(view: ProfileView, ownAnonymousIds: string[]): Omit<ProfileView, "profileId"> {
  const { profileId: _internal, ...rest } = view;
  return { ...rest, anonymousIds: ownAnonymousIds };
}

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
  if (trusted) return c.json(view);
  return c.json(publicProfileView(view, q.userHash !== undefined ? [] : [id]));
});
