// Identity resolution for one batch: which profile each event belongs to, which links to write, which profiles merge.
import type { IngestEvent } from "../schemas/events";

export type KnownIdentities = {
  anon: Map<string, string>;
  user: Map<string, string>;
  /** Profiles already linked to a user id (profile id → user id): never merged into, or taken over by, another user. */
  owner?: Map<string, string>;
};
export type IdentityWrite = { kind: "anon" | "user"; externalId: string; profileId: string };
export type ProfileMerge = { from: string; to: string };
export type Resolution = {
  /** Profile id per event, same order as the input. */
  profileOf: string[];
  identityWrites: IdentityWrite[];
  /** Profiles folded into another, in the order they must be applied. */
  merges: ProfileMerge[];
};

/** A new visitor's profile id is derived from their anonymous id, so concurrent first batches agree on it. */
export function newProfileId(anonymousId: string): string {
  return `a:${anonymousId}`;
}

/** A user's own profile when their device's anonymous profile already belongs to someone else. */
export function newUserProfileId(userId: string): string {
  return `u:${userId}`;
}

/**
 * Rules (user ids reaching here are trusted: verified by proof, or sent by the site's backend):
 * - An event with a userId joins the user's profile. If its anonymous id had a purely anonymous profile, that
 *   profile is merged into the user's (login on a new device: the user's profile is the long-lived one).
 * - A profile that already belongs to a user is never merged into another user's profile and never handed to
 *   another user: on a shared device the anonymous id is re-pointed to the new user's profile, and a new user
 *   whose device profile belongs to someone else gets a profile of their own.
 * - Without a userId an event joins its anonymous id's profile, created on first sight.
 * Events are taken in time order so a later identify re-homes earlier anonymous events of the same batch too.
 */
export function resolveIdentities(events: readonly IngestEvent[], known: KnownIdentities): Resolution {
  const anon = new Map(known.anon);
  const user = new Map(known.user);
  const owner = new Map(known.owner ?? []);
  const mergedInto = new Map<string, string>();
  const find = (p: string): string => {
    let cur = p;
    for (let next = mergedInto.get(cur); next !== undefined; next = mergedInto.get(cur)) cur = next;
    return cur;
  };
  const merges: ProfileMerge[] = [];
  const changed = new Map<string, IdentityWrite>();
  const write = (kind: "anon" | "user", externalId: string, profileId: string) => {
    const map = kind === "anon" ? anon : user;
    if (map.get(externalId) === profileId) return;
    map.set(externalId, profileId);
    changed.set(`${kind}\u0000${externalId}`, { kind, externalId, profileId });
  };

  const order = events.map((_, i) => i).sort((a, b) => events[a]!.ts - events[b]!.ts || a - b);
  const profileOf: string[] = new Array(events.length);
  for (const i of order) {
    const e = events[i]!;
    const anonProfile = anon.has(e.anonymousId) ? find(anon.get(e.anonymousId)!) : undefined;
    let profile: string;
    if (e.userId !== undefined) {
      const userProfile = user.has(e.userId) ? find(user.get(e.userId)!) : undefined;
      const anonOwner = anonProfile !== undefined ? owner.get(anonProfile) : undefined;
      if (userProfile !== undefined) {
        profile = userProfile;
        if (anonProfile !== undefined && anonProfile !== userProfile && anonOwner === undefined) {
          merges.push({ from: anonProfile, to: userProfile });
          mergedInto.set(anonProfile, userProfile);
        }
      } else {
        profile = anonProfile !== undefined && anonOwner === undefined ? anonProfile : anonProfile === undefined ? newProfileId(e.anonymousId) : newUserProfileId(e.userId);
        write("user", e.userId, profile);
      }
      owner.set(profile, e.userId);
    } else {
      profile = anonProfile ?? newProfileId(e.anonymousId);
    }
    write("anon", e.anonymousId, profile);
    profileOf[i] = profile;
  }

  return {
    profileOf: profileOf.map(find),
    identityWrites: [...changed.values()].map((w) => ({ ...w, profileId: find(w.profileId) })),
    merges,
  };
}
