import { describe, expect, it } from "vitest";
import { newProfileId, newUserProfileId, resolveIdentities, type KnownIdentities } from "../../../src/ingest/resolve-identities";
import type { IngestEvent } from "../../../src/schemas/events";

let clock = 1000;
const ev = (anonymousId: string, userId?: string): IngestEvent => ({
  id: crypto.randomUUID(),
  type: userId ? "identify" : "view",
  anonymousId,
  sessionId: "s",
  itemId: "i",
  ts: clock++,
  ...(userId ? { userId } : {}),
});
const none = (): KnownIdentities => ({ anon: new Map(), user: new Map() });

describe("resolveIdentities", () => {
  it("gives a new visitor a profile derived from the anonymous id", () => {
    const r = resolveIdentities([ev("a1"), ev("a1")], none());
    expect(r.profileOf).toEqual([newProfileId("a1"), newProfileId("a1")]);
    expect(r.identityWrites).toEqual([{ kind: "anon", externalId: "a1", profileId: newProfileId("a1") }]);
    expect(r.merges).toEqual([]);
  });

  it("attaches a new user id to the visitor's existing profile without a merge", () => {
    const known = none();
    known.anon.set("a1", "p1");
    const r = resolveIdentities([ev("a1", "u1")], known);
    expect(r.profileOf).toEqual(["p1"]);
    expect(r.identityWrites).toEqual([{ kind: "user", externalId: "u1", profileId: "p1" }]);
  });

  it("merges the anonymous profile into the user's and re-homes earlier events of the batch", () => {
    const known = none();
    known.user.set("u1", "pu");
    const early = ev("a2");
    const login = ev("a2", "u1");
    const r = resolveIdentities([early, login], known);
    expect(r.merges).toEqual([{ from: newProfileId("a2"), to: "pu" }]);
    expect(r.profileOf).toEqual(["pu", "pu"]);
    expect(r.identityWrites).toEqual([{ kind: "anon", externalId: "a2", profileId: "pu" }]);
  });

  it("follows chains of merges within one batch", () => {
    const known = none();
    known.anon.set("a1", "p1");
    known.anon.set("a2", "p2");
    const r = resolveIdentities([ev("a1", "u"), ev("a2", "u"), ev("a2")], known);
    expect(r.merges).toEqual([{ from: "p2", to: "p1" }]);
    expect(new Set(r.profileOf)).toEqual(new Set(["p1"]));
  });

  it("processes events in time order whatever order they arrive in", () => {
    const known = none();
    known.user.set("u", "pu");
    const later = ev("a3", "u");
    const earlier = { ...ev("a3"), ts: later.ts - 10 };
    const r = resolveIdentities([later, earlier], known);
    expect(r.profileOf).toEqual(["pu", "pu"]);
  });

  it("never merges a profile that belongs to one user into another user's profile (shared device)", () => {
    const known = none();
    known.anon.set("device", "pa");
    known.user.set("alice", "pa");
    known.user.set("bob", "pb");
    known.owner = new Map([["pa", "alice"], ["pb", "bob"]]);
    const r = resolveIdentities([ev("device", "bob"), ev("device")], known);
    expect(r.merges).toEqual([]);
    // The device now acts for bob; alice's profile keeps everything it had.
    expect(r.profileOf).toEqual(["pb", "pb"]);
    expect(r.identityWrites).toEqual([{ kind: "anon", externalId: "device", profileId: "pb" }]);
  });

  it("gives a new user a profile of their own when the device's profile already belongs to another user", () => {
    const known = none();
    known.anon.set("device", "pa");
    known.user.set("alice", "pa");
    known.owner = new Map([["pa", "alice"]]);
    const r = resolveIdentities([ev("device", "carol")], known);
    expect(r.merges).toEqual([]);
    expect(r.profileOf).toEqual([newUserProfileId("carol")]);
    expect(r.identityWrites).toContainEqual({ kind: "user", externalId: "carol", profileId: newUserProfileId("carol") });
    expect(r.identityWrites).not.toContainEqual(expect.objectContaining({ kind: "user", externalId: "alice" }));
  });

  it("does not hand one user's profile to a second user identified on the same device within one batch", () => {
    const r = resolveIdentities([ev("d", "u1"), ev("d", "u2")], none());
    expect(r.merges).toEqual([]);
    expect(r.profileOf).toEqual([newProfileId("d"), newUserProfileId("u2")]);
  });
});
