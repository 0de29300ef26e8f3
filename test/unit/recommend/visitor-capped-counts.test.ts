import { describe, expect, it } from "vitest";
import { VisitorCappedCounts } from "../../../src/recommend/visitor-capped-counts";

describe("VisitorCappedCounts", () => {
  it("caps each visitor's weight per item, then sums over visitors", () => {
    const c = new VisitorCappedCounts(5);
    for (let i = 0; i < 1000; i++) c.push("hoarder", "spam", 5);
    c.push("hoarder", "other", 1);
    for (const v of ["a", "b"]) c.push(v, "good", 5);
    c.push("c", "good", 1);
    c.push("c", "good", 1.5);
    expect(Object.fromEntries(c.totals())).toEqual({ spam: 5, other: 1, good: 12.5 });
  });

  it("shares one cap over all of a visitor's rows on an item", () => {
    const c = new VisitorCappedCounts(5);
    c.push("a", "x", 3);
    c.push("a", "x", 3); // capped at 5 although the rows may arrive in different pages
    c.push("b", "x", 3);
    expect(c.totals().get("x")).toBe(8);
  });
});
