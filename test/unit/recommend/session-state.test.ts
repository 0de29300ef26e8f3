import { describe, expect, it } from "vitest";
import { SessionState } from "../../../src/recommend/session-state";

describe("SessionState", () => {
  it("keeps the path in push order", () => {
    const s = new SessionState();
    s.push("a", 1);
    s.push("b", 2);
    s.push("a", 3);
    expect(s.path()).toEqual(["a", "b", "a"]);
    expect(s.length).toBe(3);
    expect(s.lastTs).toBe(3);
  });

  it("drops the oldest steps beyond maxLength", () => {
    const s = new SessionState(2);
    for (const [i, id] of ["a", "b", "c"].entries()) s.push(id, i);
    expect(s.path()).toEqual(["b", "c"]);
  });

  it("inserts a late event in time order, after events with the same time", () => {
    const s = new SessionState();
    s.push("a", 10);
    s.push("c", 30);
    s.push("b", 20);
    s.push("b2", 20);
    expect(s.path()).toEqual(["a", "b", "b2", "c"]);
  });

  it("returns a copy", () => {
    const s = new SessionState();
    s.push("a", 1);
    const p = s.path();
    s.push("b", 2);
    expect(p).toEqual(["a"]);
  });

  it("rejects a non-positive bound", () => {
    expect(() => new SessionState(0)).toThrow(RangeError);
  });
});
