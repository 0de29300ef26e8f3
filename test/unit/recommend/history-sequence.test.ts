import { describe, expect, it } from "vitest";
import { encodeShards, lookupFromShards, sessionLookup } from "../../../src/models/shards";
import { sequenceCandidates, sequenceItemsToLookUp } from "../../../src/recommend/history-sequence";
import { scoreSession } from "../../../src/recommend/score-session";
import { SessionModelTrainer } from "../../../src/recommend/trainer";

// Visitors' histories as the training sessions: a→b→c is the common run, x→y another; z is unrelated.
function served() {
  const t = new SessionModelTrainer();
  for (let i = 0; i < 5; i++) t.pushSession(["a", "b", "c"]);
  for (let i = 0; i < 3; i++) t.pushSession(["x", "y"]);
  t.pushSession(["z", "a"]);
  // Through the artifact codec, as the Worker reads the session lists.
  return sessionLookup(lookupFromShards(encodeShards(t.build()).shards));
}

describe("sequenceCandidates", () => {
  const lookup = served();

  it("scores the newest history items as the session path they end with", () => {
    // Newest first: b was the visitor's last item, so c (after b) leads.
    const out = sequenceCandidates(["b", "x"], lookup, { k: 10 });
    expect(out[0]).toMatchObject({ itemId: "c", from: "b" });
    // The same scores as scoreSession on the path oldest first.
    expect(out.map((c) => [c.itemId, c.score])).toEqual(scoreSession(["x", "b"], lookup, { k: 10 }).map((s) => [s.itemId, s.score]));
  });

  it("only reads the newest maxPath items, and never back-fills from popularity", () => {
    const out = sequenceCandidates(["x", "b"], lookup, { k: 10, maxPath: 1 });
    expect(out.map((c) => c.itemId)).toContain("y");
    expect(out.map((c) => c.itemId)).not.toContain("c");
    expect(sequenceItemsToLookUp(["x", "b", "x", "a"], { maxPath: 3 })).toEqual(["x", "b"]);
    expect(sequenceCandidates(["unknown"], lookup, { k: 10 })).toEqual([]);
  });

  it("names no item when only the item's own list gave it", () => {
    const self = sequenceCandidates(["z"], lookup, { k: 10 }).find((c) => c.itemId === "z");
    expect(self?.from).toBeNull();
  });
});
