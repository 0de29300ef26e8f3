import { describe, expect, it } from "vitest";
import { TRENDING_VISITOR_ITEM_CAP } from "../../../src/config/limits";
import { historyReason } from "../../../src/recommend/explain";
import { DEFAULT_EVENT_WEIGHTS } from "../../../src/recommend/item-cf";
import { featureColumns } from "../../../src/recommend/segment-features";
import {
  COUNTER_COLUMNS,
  EVENT_TYPE_TABLE,
  EVENT_TYPES,
  ITEM_CF_WEIGHTS,
  ITEM_REQUIRED_TYPES,
  PATH_TYPE_LIST,
  PATH_TYPES,
  PATH_TYPES_SQL,
  SEGMENT_FEATURE_TYPES,
  TRENDING_WEIGHTS,
  USER_REQUIRED_TYPES,
  type EventType,
} from "../../../src/schemas/event-types";
import { eventSchema, EVENT_TYPES as CONTRACT_TYPES } from "../../../src/schemas/events";
import { TRENDING_WEIGHT_SQL } from "../../../src/storage/trending-sql";

/** The types that existed before the table; their facts must not change. */
const ORIGINAL: readonly EventType[] = ["view", "click", "add_to_cart", "purchase", "like", "share", "dwell", "impression", "search", "identify"];
const where = (pick: (t: (typeof EVENT_TYPE_TABLE)[keyof typeof EVENT_TYPE_TABLE]) => boolean) => EVENT_TYPES.filter((t) => pick(EVENT_TYPE_TABLE[t]));

describe("event-type table", () => {
  it("has exactly one row per type, in the list's order", () => {
    expect(Object.keys(EVENT_TYPE_TABLE)).toEqual([...EVENT_TYPES]);
    expect(CONTRACT_TYPES).toBe(EVENT_TYPES);
  });

  it("derives the path, item-required and segment-feature lists from the table", () => {
    expect(PATH_TYPE_LIST).toEqual(where((t) => t.extendsPath));
    expect([...PATH_TYPES]).toEqual(where((t) => t.extendsPath));
    expect([...ITEM_REQUIRED_TYPES]).toEqual(where((t) => t.needsItem));
    expect([...USER_REQUIRED_TYPES]).toEqual(where((t) => t.needsUser));
    expect(SEGMENT_FEATURE_TYPES).toEqual(where((t) => t.segmentFeature));
    expect(PATH_TYPES_SQL).toBe(where((t) => t.extendsPath).map((t) => `'${t}'`).join(","));
  });

  it("keeps the sets of the ten original types as they were before the table (no behaviour change)", () => {
    const original = (list: Iterable<EventType>) => [...list].filter((t) => ORIGINAL.includes(t));
    expect(original(EVENT_TYPES)).toEqual(ORIGINAL);
    expect(original(PATH_TYPE_LIST)).toEqual(["view", "click", "add_to_cart", "purchase", "like", "share"]);
    expect(original(ITEM_REQUIRED_TYPES)).toEqual(["click", "add_to_cart", "purchase", "like", "share"]);
    expect(original(USER_REQUIRED_TYPES)).toEqual(["identify"]);
    // The segment feature vector's conversion columns (views are the remainder, so they get none).
    expect(featureColumns({ categories: [], countries: [] }).filter((c) => c.group === "conversion").map((c) => c.name)).toEqual(["add_to_cart share", "purchase share", "like share"]);
  });

  it("derives the profile counter columns: n_<type>, one per type (the D1 columns the migrations made)", () => {
    expect(COUNTER_COLUMNS).toEqual(EVENT_TYPES.map((t) => [t, `n_${t}`]));
  });

  it("keeps the item-CF weights of before, complete for every type", () => {
    expect(DEFAULT_EVENT_WEIGHTS).toBe(ITEM_CF_WEIGHTS);
    expect(ITEM_CF_WEIGHTS).toMatchObject({ view: 1, click: 1.5, add_to_cart: 3, purchase: 5, like: 2, share: 2, dwell: 1, impression: 1, search: 1, identify: 1 });
    expect(Object.keys(ITEM_CF_WEIGHTS)).toEqual([...EVENT_TYPES]);
  });

  it("keeps the trending weights of before; the visitor cap is one purchase", () => {
    expect(TRENDING_WEIGHTS).toMatchObject({ view: 1, click: 1, add_to_cart: 3, purchase: 5, like: 2, share: 2, dwell: 1, impression: 1, search: 1, identify: 1 });
    expect(Object.keys(TRENDING_WEIGHTS)).toEqual([...EVENT_TYPES]);
    expect(TRENDING_VISITOR_ITEM_CAP).toBe(TRENDING_WEIGHTS.purchase);
  });

  it("generates trending's CASE with one WHEN per type and no default (D1 evaluates it in test/workers/event-types)", () => {
    expect(TRENDING_WEIGHT_SQL).toMatch(
      /^CASE type WHEN 'view' THEN 1\.0 WHEN 'click' THEN 1\.0 WHEN 'add_to_cart' THEN 3\.0 WHEN 'purchase' THEN 5\.0 WHEN 'like' THEN 2\.0 WHEN 'share' THEN 2\.0 WHEN 'dwell' THEN 1\.0 WHEN 'impression' THEN 1\.0 WHEN 'search' THEN 1\.0 WHEN 'identify' THEN 1\.0 /,
    );
    expect(TRENDING_WEIGHT_SQL.match(/WHEN/g)?.length).toBe(EVENT_TYPES.length);
    expect(TRENDING_WEIGHT_SQL).toMatch(/ END$/);
    expect(TRENDING_WEIGHT_SQL).not.toContain("ELSE");
  });

  it("maps history types to reasons as before", () => {
    expect(ORIGINAL.filter((t) => historyReason("x", t).kind === "bought_with")).toEqual(["add_to_cart", "purchase"]);
    expect(historyReason("x", "like").kind).toBe("because_you_viewed");
  });

  it("the zod contract accepts every type and requires an item and a user exactly where the table says", () => {
    const base = { id: crypto.randomUUID(), anonymousId: "a", sessionId: "s", ts: 1 };
    for (const type of EVENT_TYPES) {
      const { needsItem, needsUser } = EVENT_TYPE_TABLE[type];
      expect(eventSchema.safeParse({ ...base, type, userId: "u" }).success, type).toBe(!needsItem);
      expect(eventSchema.safeParse({ ...base, type, itemId: "i" }).success, type).toBe(!needsUser);
      expect(eventSchema.safeParse({ ...base, type, itemId: "i", userId: "u" }).success, type).toBe(true);
    }
    expect(eventSchema.safeParse({ ...base, type: "hover", itemId: "i" }).success).toBe(false);
  });
});
