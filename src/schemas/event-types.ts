// The one table of event types: every per-type fact (path membership, item requirement, ranking weights, profile
// counter, segment feature, explanation) lives here, and every list elsewhere derives from it. Pure, no Workers imports.

/** Every event type the API accepts, in the order of the profile counters and the public `counts` object. */
export const EVENT_TYPES = ["view", "click", "add_to_cart", "purchase", "like", "share", "dwell", "impression", "search", "identify", "custom"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What the rest of the system needs to know about one event type. */
export type EventTypeTraits = {
  /**
   * Moves a visitor along a session path: the step feeds the session model, profile_items, item-CF training and
   * trending. Impressions (shown, not chosen), dwell (a duration on an item already in the path), search and
   * identify are stored and counted but do not extend the path.
   */
  extendsPath: boolean;
  /** About one item: an event of this type without `itemId` is rejected (naming `itemId`). */
  needsItem: boolean;
  /** Names a user: an event of this type without `userId` is rejected (naming `userId`). */
  needsUser: boolean;
  /**
   * How much one interaction says about taste in item-CF (training and scoring a history), and in segment
   * favourites. Only path types reach item-CF; the others carry 1 so the record stays complete.
   */
  itemCfWeight: number;
  /** Weight in trending (storage/trending-sql.ts generates its CASE from these). Only path types are counted. */
  trendingWeight: number;
  /** The `profiles` column counting this type (a D1 migration adds it; storage/schema.ts derives the table). */
  counter: `n_${string}`;
  /** Its share of a visitor's events is a segmentation (k-means) feature, named `<type> share`. */
  segmentFeature: boolean;
  /** The item-CF reason when a recommendation comes from a history item whose strongest interaction is this type. */
  historyReason: "bought_with" | "because_you_viewed";
};

/**
 * The table. To add an event type:
 * 1. add it to EVENT_TYPES and a row here (the `satisfies` makes a missing or extra row a compile error);
 * 2. add a D1 migration with its counter column (`ALTER TABLE profiles ADD COLUMN n_<type> integer DEFAULT 0 NOT
 *    NULL`, or `npx drizzle-kit generate`, which reads storage/schema.ts, itself derived from this table);
 * 3. add it to the browser SDK's public `EventType` in src/sdk/api.ts (written out so the npm package's .d.ts
 *    stands alone; `npm run typecheck` fails in src/sdk/types.ts until it matches).
 * Nothing else: the zod enum, the path, item- and user-required sets, ingest counter SQL, profile reads,
 * trending's weight CASE, training's path filters, item-CF weights, segment features and history reasons all read
 * this table.
 * Changing a weight changes ranking (and the segment feature list changes the feature vector: retrain).
 */
const VIEWED = "because_you_viewed";
const BOUGHT = "bought_with";
export const EVENT_TYPE_TABLE = {
  view: { extendsPath: true, needsItem: false, needsUser: false, itemCfWeight: 1, trendingWeight: 1, counter: "n_view", segmentFeature: true, historyReason: VIEWED },
  click: { extendsPath: true, needsItem: true, needsUser: false, itemCfWeight: 1.5, trendingWeight: 1, counter: "n_click", segmentFeature: false, historyReason: VIEWED },
  add_to_cart: { extendsPath: true, needsItem: true, needsUser: false, itemCfWeight: 3, trendingWeight: 3, counter: "n_add_to_cart", segmentFeature: true, historyReason: BOUGHT },
  purchase: { extendsPath: true, needsItem: true, needsUser: false, itemCfWeight: 5, trendingWeight: 5, counter: "n_purchase", segmentFeature: true, historyReason: BOUGHT },
  like: { extendsPath: true, needsItem: true, needsUser: false, itemCfWeight: 2, trendingWeight: 2, counter: "n_like", segmentFeature: true, historyReason: VIEWED },
  share: { extendsPath: true, needsItem: true, needsUser: false, itemCfWeight: 2, trendingWeight: 2, counter: "n_share", segmentFeature: false, historyReason: VIEWED },
  dwell: { extendsPath: false, needsItem: false, needsUser: false, itemCfWeight: 1, trendingWeight: 1, counter: "n_dwell", segmentFeature: false, historyReason: VIEWED },
  impression: { extendsPath: false, needsItem: false, needsUser: false, itemCfWeight: 1, trendingWeight: 1, counter: "n_impression", segmentFeature: false, historyReason: VIEWED },
  search: { extendsPath: false, needsItem: false, needsUser: false, itemCfWeight: 1, trendingWeight: 1, counter: "n_search", segmentFeature: false, historyReason: VIEWED },
  identify: { extendsPath: false, needsItem: false, needsUser: true, itemCfWeight: 1, trendingWeight: 1, counter: "n_identify", segmentFeature: false, historyReason: VIEWED },
  // Any other Segment/RudderStack track event (ingest/segment-map.ts): stored and counted, its name in
  // properties.event, but outside the path, trending, item-CF and segments.
  custom: { extendsPath: false, needsItem: false, needsUser: false, itemCfWeight: 1, trendingWeight: 1, counter: "n_custom", segmentFeature: false, historyReason: VIEWED },
} as const satisfies Record<EventType, EventTypeTraits>;

/** The `profiles` counter column names, one per type. */
export type CounterColumn = (typeof EVENT_TYPE_TABLE)[EventType]["counter"];

const typesWhere = (pick: (t: EventTypeTraits) => boolean): EventType[] => EVENT_TYPES.filter((t) => pick(EVENT_TYPE_TABLE[t]));
// The one cast: Object.fromEntries cannot type its keys, and EVENT_TYPES lists every key by construction.
const weightsOf = (pick: (t: EventTypeTraits) => number): Readonly<Record<EventType, number>> =>
  Object.fromEntries(EVENT_TYPES.map((t) => [t, pick(EVENT_TYPE_TABLE[t])])) as Record<EventType, number>;

/** Types that move a visitor along a session path (in table order). */
export const PATH_TYPE_LIST: readonly EventType[] = typesWhere((t) => t.extendsPath);
export const PATH_TYPES: ReadonlySet<EventType> = new Set(PATH_TYPE_LIST);
/** The path types as an SQL list (`'view','click',…`) for `type IN (…)`; the values are the table's own literals. */
export const PATH_TYPES_SQL = PATH_TYPE_LIST.map((t) => `'${t}'`).join(",");
/** Types that make no sense without `itemId`. */
export const ITEM_REQUIRED_TYPES: ReadonlySet<EventType> = new Set(typesWhere((t) => t.needsItem));
/** Types that make no sense without `userId`. */
export const USER_REQUIRED_TYPES: ReadonlySet<EventType> = new Set(typesWhere((t) => t.needsUser));
/** Types whose share is a segmentation feature, in table order (the feature vector's order). */
export const SEGMENT_FEATURE_TYPES: readonly EventType[] = typesWhere((t) => t.segmentFeature);
/** Item-CF weight per type. */
export const ITEM_CF_WEIGHTS = weightsOf((t) => t.itemCfWeight);
/** Trending weight per type. */
export const TRENDING_WEIGHTS = weightsOf((t) => t.trendingWeight);
/** [type, counter column] pairs in table order, for the ingest and profile SQL. */
export const COUNTER_COLUMNS: readonly (readonly [EventType, CounterColumn])[] = EVENT_TYPES.map((t) => [t, EVENT_TYPE_TABLE[t].counter] as const);
