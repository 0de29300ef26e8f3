import { describe, expect, it } from "vitest";
import { explain } from "../../../src/recommend/explain";

describe("explain", () => {
  it("names the item by its catalog title", () => {
    expect(explain({ kind: "after", itemId: "sku-1" }, () => "Ridge Boot").text).toBe("after Ridge Boot");
  });

  it("never uses a raw id as text when there is no title", () => {
    const untitled = () => undefined;
    for (const kind of ["after", "with", "because", "bought_with", "because_you_viewed", "similar"] as const) {
      const view = explain({ kind, itemId: "made-up-id" }, untitled);
      expect(view.text).not.toContain("made-up-id");
      expect(view.itemId).toBe("made-up-id");
    }
    expect(explain({ kind: "with", itemId: "x" }, untitled).text).toBe("often viewed with an item you viewed");
  });
});
