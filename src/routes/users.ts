// GET /v1/users/:id: a visitor profile. With the admin token, :id may be a user id or an anonymous id; with only
// the public write key (visible to anyone who opens the page) it must be the caller's own anonymous id, which is
// unguessable, so nobody can read a profile by a known user id.
import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import { idString } from "../schemas/common";
import { database } from "../storage/db";
import { loadProfileView, profileIdFor } from "../storage/profiles-repo";

export const users = new Hono<AppEnv>();

users.get("/:id", requireSite, async (c) => {
  const id = parseOrThrow(idString, c.req.param("id"), "user id");
  const db = database(c.env.DB);
  const siteId = c.get("site").id;
  const profileId =
    (c.get("isAdmin") ? await profileIdFor(db, siteId, "user", id) : undefined) ?? (await profileIdFor(db, siteId, "anon", id));
  const view = profileId ? await loadProfileView(db, siteId, profileId) : undefined;
  if (!view) throw new ApiError(404, "profile_not_found", "no profile for this id");
  // A visitor reading their own profile sees it without the other devices' anonymous ids.
  return c.json(c.get("isAdmin") ? view : { ...view, anonymousIds: [id] });
});
