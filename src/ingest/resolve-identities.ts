// Identity resolution for one batch: which profile each event belongs to, which links to write, which profiles merge.
import type { IngestEvent } from "../schemas/events";

export type KnownIdentities = { anon: Map<string, string>; user: Map<string, string> };
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

/**
 * Rules: an event with a userId joins the user's profile; if the anonymous id already had a different profile,
 * that profile is merged into the user's (the user's profile wins, it is the long-lived one). Without a userId an
 * event joins its anonymous id's profile, created on first sight. Events are taken in time order so a later
 * identify re-homes earlier anonymous events of the same batch too (through the final merge mapping).
 */
export function resolveIdentities(events: readonly IngestEvent[], known: KnownIdentities): Resolution {
  const anon = new Map(known.anon);
  const user = new Map(known.user);
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
      if (userProfile !== undefined) {
        profile = userProfile;
        if (anonProfile !== undefined && anonProfile !== userProfile) {
          merges.push({ from: anonProfile, to: userProfile });
          mergedInto.set(anonProfile, userProfile);
        }
      } else {
        profile = anonProfile ?? newProfileId(e.anonymousId);
        write("user", e.userId, profile);
      }
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
