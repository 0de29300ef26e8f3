import { describe, expect, it } from "vitest";
import { listJson } from "../../../src/serving/list-json";
import type { ListItem } from "../../../src/recommend/pipeline";

const item = (id: string, text: string): ListItem => ({ id, score: 1.5, reason: { kind: "with", itemId: "x", text } }) as ListItem;

describe("listJson", () => {
  it("is the body's JSON, the per-serve fields as given", () => {
    const items = [item("a", 'say "hi" \u2028'), item("b", "ü")];
    const body = { recommendationId: "r1.x", modelVersion: null, items, personalized: true, sessionId: "s" };
    expect(JSON.parse(listJson(body))).toEqual(body);
    expect(JSON.parse(listJson({ items: [] }))).toEqual({ items: [] });
  });

  it("keeps one list's items text by the array's identity: a served list answers from it, another array never does", () => {
    const items = [item("a", "one")];
    expect(JSON.parse(listJson({ recommendationId: "r1", items }))).toEqual({ recommendationId: "r1", items });
    // Served lists are never changed (the memo relies on it); changing one anyway shows the text is the one kept.
    const kept = JSON.stringify(items);
    items.push(item("b", "two"));
    expect(JSON.parse(listJson({ recommendationId: "r2", items }))).toEqual({ recommendationId: "r2", items: JSON.parse(kept) });
    // An equal array is another list: its own text, not the kept one.
    const copy = [...items];
    expect(JSON.parse(listJson({ recommendationId: "r3", items: copy })).items).toEqual(copy);
  });
});
