// Every input limit of the public API, in one place. README "Limits" mirrors this file; change both together.
// Pure constants (no Workers imports) so the browser SDK and the Node tools share them.

/** Events per POST /v1/events batch. Keeps one ingest inside D1's per-invocation query budget. */
export const MAX_BATCH_EVENTS = 500;
/** Bytes per POST /v1/events body. Above it the whole batch is a 413 before any parsing. */
export const MAX_BATCH_BYTES = 512 * 1024;
/** Bytes per single event (its JSON). A larger event is rejected on its own; the rest of the batch goes on. */
export const MAX_EVENT_BYTES = 32 * 1024;
/**
 * Distinct sessions per batch with the public write key: a browser sends one session (a few across a rollover),
 * and each session is one Durable Object RPC. Events of further sessions are rejected one by one.
 */
export const MAX_BATCH_SESSIONS = 10;
/** The same for the server key: a site's backend relays many visitors at once. */
export const MAX_BATCH_SESSIONS_SERVER = 100;
/**
 * Distinct anonymous ids per batch with the public write key: a browser has one (two across a consent reset or a
 * storage wipe). A batch of hundreds of invented visitors would feed trending and segments at no cost.
 */
export const MAX_BATCH_VISITORS = 3;
/** The same for the server key. */
export const MAX_BATCH_VISITORS_SERVER = 100;
/** Every per-batch cap of the public write key together. */
export const PUBLIC_BATCH_LIMITS = { events: MAX_BATCH_EVENTS, sessions: MAX_BATCH_SESSIONS, visitors: MAX_BATCH_VISITORS };
/** Every per-batch cap of the server key together, for clients that split their own batches (seed, benchmarks). */
export const SERVER_BATCH_LIMITS = { events: MAX_BATCH_EVENTS, sessions: MAX_BATCH_SESSIONS_SERVER, visitors: MAX_BATCH_VISITORS_SERVER };
/** sendBeacon and keepalive fetch carry at most 64 KB in flight; the SDK splits batches under this. */
export const MAX_BEACON_BYTES = 64 * 1024;

/** Ids: event ids are UUIDs; visitor, session, user and item ids are opaque strings up to this length. */
export const MAX_ID_LENGTH = 128;
/**
 * Ids in UTF-8 bytes: D1 indexes, KV keys and the artifact's string tables count bytes, and 128 characters of
 * emoji or CJK would be up to 512 of them.
 */
export const MAX_ID_BYTES = 256;
/**
 * `context.recommendationId` of impressions and clicks: longer than other ids because it is an exposure token
 * (src/recommend/exposure.ts) carrying slot (up to 64), variant and model version (up to 32 each); the longest
 * token is 194 ASCII characters. Old UUID ids still fit.
 */
export const MAX_RECOMMENDATION_ID_LENGTH = 200;
/**
 * Attribution window (last touch): an add-to-cart or purchase is credited to the recommended list in which the same
 * visitor (profile) last clicked that item, if that click is at most this old (event times). Default 24 h.
 */
export const ATTRIBUTION_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Days per GET /admin/metrics read (from..to inclusive): a quarter; keeps the answer and the rollup scan bounded. */
export const METRICS_MAX_DAYS = 92;
/** Free-text fields in context (url, referrer, user agent, search query). */
export const MAX_TEXT_LENGTH = 2048;
/** Keys per `properties` object and per `context` extra map. */
export const MAX_PROPERTIES = 50;
/** Key length in `properties`. */
export const MAX_PROPERTY_KEY_LENGTH = 64;
/** String value length in `properties`. */
export const MAX_PROPERTY_VALUE_LENGTH = 1024;

/** An event may claim a time at most this far ahead of the server clock (clock skew of real devices). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** An event older than this is rejected: it would fall out of the retention window anyway. */
export const MAX_EVENT_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/*
 * The Segment-compatible API (POST /v1/batch, /v1/track, /v1/page, /v1/screen, /v1/identify, /v1/alias;
 * routes/segment.ts). Segment's own limits, so a client tuned for Segment never sends what edgerec refuses.
 */
/** Bytes per /v1/batch body, after gzip decoding (Segment: 500 KB). Above it the whole batch is a 413. */
export const SEGMENT_MAX_BATCH_BYTES = 500 * 1024;
/** Bytes per single message's JSON (Segment: 32 KB); a single-message route with a larger body is a 413. */
export const SEGMENT_MAX_MESSAGE_BYTES = 32 * 1024;
/**
 * Messages per /v1/batch. Segment caps bytes only; at 500 KB and ~1 KB a message this is the same bound, and it
 * keeps one batch inside MAX_BATCH_EVENTS once mapped.
 */
export const SEGMENT_MAX_BATCH_MESSAGES = MAX_BATCH_EVENTS;
/**
 * Length of a `messageId`, the dedup key (Segment documents none; its libraries send ~50 characters, such as
 * `node-next-1733050000000-<uuid>`). It is hashed with the site id into the stored event id (a UUIDv5), so a
 * retried message is the same event.
 */
export const SEGMENT_MAX_MESSAGE_ID_LENGTH = 256;
/**
 * Entries of `properties.products` one message may expand into (Order Completed: one purchase per product; Product
 * List Viewed: one impression per product). Past it the message is rejected naming `properties.products`.
 */
export const SEGMENT_MAX_PRODUCTS = 100;
/** Length of a track event's name (`event`), stored as `properties.event`. */
export const SEGMENT_MAX_EVENT_NAME_LENGTH = 200;
/**
 * Default idle gap after which a visitor's next Segment event starts a new server-derived session (Segment sends no
 * session id). The tunable SESSION_IDLE_MINUTES overrides it; it is also the session object's idle expiry, so a
 * derived session never outlives its Durable Object.
 */
export const DEFAULT_SESSION_IDLE_MINUTES = 30;

/** Items per PUT /v1/items call; the whole call is one D1 transaction. */
export const MAX_ITEMS_PER_UPSERT = 500;
/** Bytes per PUT /v1/items body. */
export const MAX_ITEMS_BODY_BYTES = 1024 * 1024;
/** Categories and tags per item. */
export const MAX_ITEM_LABELS = 32;
/** Length of a category or tag. */
export const MAX_LABEL_LENGTH = 128;
/** Keys in an item's `attributes`. */
export const MAX_ITEM_ATTRIBUTES = 50;

/** Items a session keeps in its path; older items fall off (the model only looks at recent steps). */
export const MAX_SESSION_PATH = 200;
/** Event ids a session remembers for dedup of retried batches. */
export const MAX_SESSION_SEEN_IDS = 2000;

/** Recent items returned with a profile. */
export const PROFILE_RECENT_ITEMS = 20;
/** Allowed origins per site. */
export const MAX_ALLOWED_ORIGINS = 50;
/** Recommendations per request (`k`). */
export const MAX_K = 100;
/** Default `k` when a request does not name one. */
export const DEFAULT_K = 10;
/**
 * Candidates scored and back-fill items looked up beyond k, so that dropping excluded, already-seen or unavailable
 * items still leaves k (the catalog lookup of k + this many ids is one cached D1 query).
 */
export const SERVE_OVERFETCH = 20;

/**
 * D1 caps one statement at 100 KB of SQL and 100 bound parameters. Ingest binds one JSON text per
 * statement and expands it with json_each, so a chunk is bounded by bytes rather than rows.
 */
export const D1_JSON_CHUNK_BYTES = 90 * 1024;

/** Ids in one list parameter of a recommendation request (exclude, boost, pin, categories). */
export const MAX_RULE_LIST = 100;
/** Pinned items per request: they take the first positions. */
export const MAX_PINS = 10;

/**
 * Raw events deleted per DELETE statement of an erasure: small enough that one statement stays far below D1's
 * 30 s query limit and does not hold the database's write lock long while ingest waits behind it.
 */
export const ERASURE_CHUNK_ROWS = 1000;
/**
 * Event chunks one erasure step (one request, or one cron pass per job) deletes before it stops and answers
 * `running`; with ERASURE_CHUNK_ROWS that is 20,000 events per step, well inside D1's 1,000 queries per invocation.
 */
export const ERASURE_CHUNKS_PER_STEP = 20;
/** Session objects erased per step: each is one Durable Object RPC (a subrequest), run in capped parallel chunks. */
export const ERASURE_SESSIONS_PER_STEP = 50;
/**
 * Erasure steps a request runs after answering (waitUntil) before it leaves the rest to the cron: about 25 D1
 * queries per step, so the request stays far from D1's 1,000 queries per invocation.
 */
export const ERASURE_BACKGROUND_STEPS = 10;
/** Erasure steps one 10-minute cron run spends, over all running jobs (oldest first); the rest wait for the next. */
export const ERASURE_CRON_STEPS = 20;
/** Events per page of a data export (`cursor` pages on); keeps one answer around a megabyte. */
export const EXPORT_PAGE_EVENTS = 1000;
/** Recent sessions of a visitor that a consent change reaches (live session objects told to stop personalizing). */
export const CONSENT_PUSH_SESSIONS = 20;
/** Bytes per body of the self-service privacy routes (forget, export). */
export const PRIVACY_BODY_BYTES = 4 * 1024;
/** Cached-list deletes an erasure runs in parallel (KV calls are subrequests; a visitor rarely has more than a few). */
export const ERASURE_KV_PARALLEL = 20;

/**
 * Request rate limits of /v1 routes, enforced by the Workers Rate Limiting bindings in wrangler.toml (which hold the
 * real numbers: keep them equal to these). Counters are per Cloudflare location over fixed windows of this length,
 * so Retry-After is one window: the longest a refused client may have to wait.
 */
export const RATE_LIMIT_PERIOD_SECONDS = 60;
/**
 * Per client (connecting address) per site on the public key. One browser sends a few requests per page view
 * (batched events, slot reads); 10 a second leaves room for many visitors behind one NAT or carrier-grade NAT.
 */
export const RATE_LIMIT_CLIENT_PER_PERIOD = 600;
/** Per site on the public key, all clients together: 100 requests a second per location (each up to 500 events). */
export const RATE_LIMIT_SITE_PER_PERIOD = 6000;
/** Per site on the server key (its backend, a few addresses): a separate budget, so browser floods never starve it. */
export const RATE_LIMIT_SERVER_PER_PERIOD = 6000;

/**
 * Trending caps each visitor's contribution: a visitor's (profile's) decayed, type-weighted events on one item sum
 * to at most this, the weight of one purchase, so a thousand purchases by one visitor count as one.
 */
export const TRENDING_VISITOR_ITEM_CAP = 5;
/** A visitor the Worker first heard from (within the trending window) less than this long ago counts as new. */
export const TRENDING_NEW_VISITOR_MS = 24 * 60 * 60 * 1000;
/**
 * New visitors' summed contribution to one item counts fully up to this (ten purchases' worth), beyond it with
 * square-root growth: a burst of invented anonymous ids cannot outrank steady traffic of established visitors.
 */
export const TRENDING_NEW_VISITOR_ITEM_THRESHOLD = 50;

/*
 * Isolate-memory caches (lib/isolate-cache.ts, least recently used out first). An isolate has 128 MB for everything,
 * and each cache below is keyed by something a client or site count can grow, so each has a bound.
 */
/** Presented keys (by SHA-256) with their site and role, or a brief miss; ~2 KB each with the site row. */
export const SITE_CACHE_MAX_ENTRIES = 1000;
/** Visitors' consent choices on the recommend path; ~100 bytes each. */
export const CONSENT_CACHE_MAX_ENTRIES = 50_000;
/** Catalog items' display details and availability (including "not in the catalog"); ~0.5 KB each. */
export const CATALOG_CACHE_MAX_ENTRIES = 50_000;
/** Sites' model manifests (one per site served by this isolate). */
export const MANIFEST_CACHE_MAX_ENTRIES = 1000;
/** Decoded model shards; the byte bound below is the one that usually binds. */
export const SHARD_CACHE_MAX_ENTRIES = 2000;
/** Bytes of decoded model shards kept (as KV returned them): a quarter of the isolate's memory. */
export const SHARD_CACHE_MAX_BYTES = 32 * 1024 * 1024;
/** A model version's own trending list (a few KB each), per site and version. */
export const TRENDING_CACHE_MAX_ENTRIES = 100;
/** The between-retrains trending list, one per site. */
export const LIVE_TRENDING_CACHE_MAX_ENTRIES = 1000;
/** A model version's personalization side data (segments, segment and category lists: up to ~100 KB each). */
export const PERSONAL_DATA_CACHE_MAX_ENTRIES = 100;
/** Trending straight from D1 for sites without a model yet, one per site. */
export const FALLBACK_TRENDING_CACHE_MAX_ENTRIES = 1000;
/** Imported HMAC keys of identity secrets (a site has one, two during a rotation). */
export const HMAC_KEY_CACHE_MAX_ENTRIES = 1000;
/**
 * How long a request waits on another request's load of the same cache key before loading itself: loads are single
 * D1/KV reads (milliseconds), and a load whose request was cancelled may never settle.
 */
export const ISOLATE_CACHE_JOIN_MS = 2000;
/** Daily rate-limit salts: today's, and yesterday's for requests in flight across midnight. */
export const RATE_LIMIT_SALT_CACHE_ENTRIES = 2;

/**
 * The graph source (src/recommend/sources/graph.ts) reads each profile's history as runs of browsing: a gap longer
 * than this starts a new run, so the walk graph links items viewed in one visit, as the evaluation's sessions do.
 */
export const GRAPH_SESSION_GAP_MS = 30 * 60_000;

/**
 * Walked tokens per epoch of the graph source's skip-gram (items × walks per node × walk length): a catalog past
 * about 10,000 items gets fewer walks per node, so the retrain's graph build stops growing with the catalog (20,000
 * items: 5 walks instead of 10). The shared evaluation datasets (at most 9,724 items) train exactly as configured.
 */
export const GRAPH_MAX_WALK_TOKENS = 2_000_000;

/**
 * A visitor's history items a recommendation reads (newest first, from profile_items): the item-CF, content and
 * sequence sources' seeds. The evaluation's protocol 2 gives the pipeline the same many.
 */
export const VISITOR_HISTORY_ITEMS = 30;

/**
 * Without a live path (no session, no item on screen) the sequence source's candidates scoring at least this share
 * of its best lead the list in the sequence's order; the blend orders the rest (src/recommend/pipeline.ts). The
 * largest of {0.5, 0.25, 0.1, 0.05} keeping the served blend at or above the served sequence source alone on the
 * protocol-2 validation folds of MovieLens and both JD samples (docs/personalization.md, with what it costs).
 */
export const SEQUENCE_LEAD_SHARE = 0.25;

/**
 * Slots of one training pair table (session after/with pairs, item-CF pairs, the graph's edges): 2^20 slots are
 * 16 MiB and hold about 840k pairs at the table's load factor. A full table keeps its heaviest half and drops the
 * rest (lossy counting), so training memory follows this budget, not the number of events: the retrain runs in
 * one isolate (128 MB). The shared evaluation datasets stay below it (yoochoose-100k: 49k after-pairs).
 */
export const TRAINING_PAIR_SLOTS = 2 ** 20;

/** Variants of one experiment (issue 10 part 3): a control and a handful of treatments keep every arm's sample useful. */
export const MAX_EXPERIMENT_VARIANTS = 8;
/** Slots one experiment covers (the site config holds at most 20 slots). */
export const MAX_EXPERIMENT_SLOTS = 20;
/**
 * Experiment ids and variant names: a served list's variant is `${experimentId}:${variantName}` and the exposure
 * token holds at most MAX_EXPOSURE_VARIANT (32) bytes, so 16 + 1 + 15 fits.
 */
export const MAX_EXPERIMENT_ID_LENGTH = 16;
export const MAX_VARIANT_NAME_LENGTH = 15;
/** Experiments a site may keep (any status); listing and the serving cache read them all. */
export const MAX_EXPERIMENTS_PER_SITE = 100;
/**
 * A site's running experiments are cached per isolate this long: start and stop reach other isolates within it,
 * and a warm serve reads no D1 for them.
 */
export const EXPERIMENT_CACHE_MS = 10_000;
/** Sites whose running experiments an isolate caches. */
export const EXPERIMENT_CACHE_MAX_ENTRIES = 1000;

// Operator dashboard (issue 10 part 6, src/dashboard/) and its hourly traffic rollup.
/**
 * A dashboard sign-in lasts this long: the session cookie is stateless (HMAC-signed expiry), so this is also how long
 * a copied cookie stays usable after sign-out; rotating ADMIN_TOKEN ends every session at once.
 */
export const DASHBOARD_SESSION_SECONDS = 8 * 60 * 60;
/** The sign-in form's token field: admin tokens are short secrets; anything longer is refused unread. */
export const DASHBOARD_MAX_TOKEN_LENGTH = 512;
/** Form bodies the dashboard reads (sign-in, winner, rotation): a few fields. */
export const DASHBOARD_FORM_BYTES = 4 * 1024;
/** Hours the overview's hourly chart shows (two days: today against yesterday at a glance). */
export const DASHBOARD_TRAFFIC_HOURS = 48;
/** Days the overview's daily chart and the slots page show by default (at most METRICS_MAX_DAYS). */
export const DASHBOARD_DEFAULT_DAYS = 14;
/** Points drawn in the segments scatter: beyond this the projection is sampled evenly (the SVG stays small). */
export const DASHBOARD_MAX_SCATTER_POINTS = 2000;

// --- Experiment results (issue 10 part 5: GET /admin/experiments/:id/results, src/recommend/experiment-results.ts) ---
/**
 * Impressions every variant needs before a difference is called significant or a winner named: below it the
 * figures are shown, the verdict is `insufficient_sample`. A CTR around 5% gives a 95% interval of about ±1.4
 * points at 1,000 impressions, so smaller samples would "find" differences by peeking.
 */
export const EXPERIMENT_MIN_IMPRESSIONS_PER_VARIANT = 1000;
/** Two-sided level of the treatment-against-control tests, split over the treatments (Bonferroni). */
export const EXPERIMENT_ALPHA = 0.05;
/** The sample-ratio-mismatch check flags a split whose chi-square p-value is below this (GrowthBook's default). */
export const EXPERIMENT_SRM_ALPHA = 0.001;

// --- Canary model rollout (issue 10 part 4): a new model version served to a share of visitors first; a guardrail
// (src/recommend/canary-guardrail.ts) compares its CTR with the current version's and promotes or rolls it back.
// Each threshold below is the default of a site's `canary` policy (PUT /admin/sites/:id/config), which may override it.
/** Share of visitors served a canary when neither the admin call nor the site's policy names one. */
export const CANARY_DEFAULT_SHARE = 0.1;
/** A canary serves at most half the traffic: beyond that it is a rollout, not a canary. */
export const CANARY_MAX_SHARE = 0.5;
/**
 * Impressions (shown recommended items, from rec_rollups) each arm needs before the guardrail decides. At a 5% CTR
 * 2,000 impressions give a standard error of about 0.5 points per arm: a 25% relative drop is then detectable.
 */
export const CANARY_MIN_IMPRESSIONS = 2000;
/** The largest relative CTR drop (canary vs current) the guardrail accepts for promotion: 0.05 = 5% below. */
export const CANARY_MAX_CTR_DROP = 0.05;
/** One-sided significance level of the "canary is worse" two-proportion test: below it the canary is rolled back. */
export const CANARY_SIGNIFICANCE = 0.05;
/**
 * A canary still undecided this long after it started is rolled back ("expired"), so a retrain policy that waits
 * on a pending canary is never stuck on it; the next retrain publishes a fresh one.
 */
export const CANARY_MAX_AGE_MS = 48 * 3_600_000;
/** Model decisions GET /admin/models lists (newest first). */
export const MODEL_DECISIONS_LISTED = 50;

// ---- Segments (issue 13): behavioural scores, clustering, stable ids, projection, context factors ----
/**
 * Profiles the retrain clusters (k-means, Gaussian mixtures and DBSCAN all run on them; DBSCAN and the silhouette
 * are O(n²)). Chosen deterministically: the profiles with the smallest FNV-1a hash of their id, so a retrain on
 * the same data picks the same ones and a few new profiles change the sample little. The rest are assigned to the
 * nearest centroid. Worker memory and CPU stay bounded whatever the site's size.
 */
export const SEGMENT_MAX_CLUSTERED = 2000;
/** Points of the clustered sample the silhouette is computed on (exact pairwise, so O(n²)). */
export const SEGMENT_SILHOUETTE_SAMPLE = 600;
/** Minimum evidence: a visitor with fewer events gets the "new visitor" segment (site config `segments.minEvents`). */
export const SEGMENT_MIN_EVENTS = 3;
/** Profiles with enough evidence needed before any segmentation is trained. */
export const SEGMENT_MIN_PROFILES = 4;
/** The k range tried by k-means and the Gaussian mixture (site config `segments.kMin` / `kMax`, at most SEGMENT_MAX_K). */
export const SEGMENT_K_MIN = 2;
export const SEGMENT_K_MAX = 8;
export const SEGMENT_MAX_K = 12;
/** Candidates whose silhouette is within this of the best one's are compared by Davies-Bouldin (lowest wins). */
export const SEGMENT_SILHOUETTE_BAND = 0.02;
/** A candidate whose smallest cluster holds less than this share of visitors is reported but not chosen. */
export const SEGMENT_MIN_CLUSTER_SHARE = 0.02;
/**
 * Stability over a marginally better score: the previous model's centroids unchanged, else the clustering
 * warm-started from them, is kept while its silhouette is within this much of the best candidate's, so segments do
 * not reshuffle on noise.
 */
export const SEGMENT_WARM_TOLERANCE = 0.05;
/** DBSCAN's minimum neighbourhood size, and the k-distance quantiles tried as eps. */
export const SEGMENT_DBSCAN_MIN_POINTS = 8;
export const SEGMENT_DBSCAN_EPS_QUANTILES: readonly number[] = [0.5, 0.7, 0.9];
/** Points of the 2-D PCA projection stored with the model for the dashboard's scatter plot. */
export const SEGMENT_PROJECTION_POINTS = 400;
/** Category and country share columns of the feature vector (the most common ones at training). */
export const SEGMENT_MAX_CATEGORIES = 8;
export const SEGMENT_MAX_COUNTRIES = 4;
/** Per-segment overrides of one slot in the site config (slots.<slot>.segments). */
export const SEGMENT_MAX_SLOT_OVERRIDES = 20;

// --- Ingest through a Cloudflare Queue, raw events archived to R2 (issue 11 parts 1, 2 and 6) ---

/**
 * Bytes of one ingest queue message's JSON. Cloudflare Queues take at most 128 KB a message; the margin covers the
 * envelope and the platform's own encoding. A request's batch (up to MAX_BATCH_BYTES) is split into several.
 */
export const QUEUE_MESSAGE_BYTES = 96 * 1024;
/** Bytes of one `sendBatch` call (the platform caps a call at 256 KB and 100 messages): two messages a call. */
export const QUEUE_SEND_BATCH_BYTES = 200 * 1024;
/**
 * Events the consumer writes in one D1 transaction (one db.batch): large enough that a full consumer batch takes a
 * few transactions, small enough that one stays well inside D1's 30 s per query and 100 KB per statement for the
 * identity lookups that precede it.
 */
export const CONSUMER_TRANSACTION_EVENTS = 2000;
/**
 * The most events one consumer transaction inserts: a group closes before CONSUMER_TRANSACTION_EVENTS, or is one
 * message, which holds at most one request's MAX_BATCH_EVENTS. One transaction's rows are contiguous in D1's rowid
 * order (a single writer), so the rows of one archive object lie within this many rowids of any one of them: a
 * redelivery rebuilds a lost object from that window, by primary key, instead of scanning the site's events.
 */
export const ARCHIVE_OBJECT_MAX_EVENTS = CONSUMER_TRANSACTION_EVENTS + MAX_BATCH_EVENTS;
/**
 * The ingest request path reads erasures (suppressions) from an isolate cache, so a warm request touches no D1: an id
 * found clean is re-read after this long (an erasure in another isolate reaches this one's session feed within it;
 * the consumer checks D1 again before storing anything). An erased id stays cached as erased.
 */
export const SUPPRESSION_CACHE_MS = 30_000;
export const SUPPRESSION_CACHE_MAX_ENTRIES = 50_000;
/**
 * Archive objects one erasure step reads and, where they hold the subject's events, rewrites (R2 has no in-place
 * edit). The pass reads the site's whole archive, like the D1 pass over linked ids; the 10-minute cron resumes it.
 */
export const ERASURE_ARCHIVE_OBJECTS_PER_STEP = 200;

// --- Reads close to the floor (issue 11 part 4) ---

/**
 * Items a read may carry as its session path (`path=a,b,c`, oldest first): the snippet sends what it tracked in the
 * session, so the list needs no read of the session's Durable Object. The scorer reads the newest 10 steps and
 * the seen-item exclusion the rest; longer paths are refused (400 naming `path`).
 */
export const CLIENT_PATH_MAX_ITEMS = 20;
/**
 * How long an isolate reuses a list it computed, for a request with the same inputs: for lists with no visitor
 * (session path, item on screen, slot shape and model version are the key: src/serving/list-memo.ts), and in
 * front of the KV cache of visitors' lists. A new model version, path step or rule is a new key at once; trending
 * and catalog changes reach a memoised list within this time on top of their own caches' (60 s).
 */
export const LIST_MEMO_MS = 20_000;
export const LIST_MEMO_MAX_ENTRIES = 2000;
/**
 * Exposure tokens (src/recommend/exposure.ts) keep the encoded (slot, variant, model version) part of this many
 * combinations per isolate: a site serves a handful, so the encoding is done once rather than on every list.
 */
export const EXPOSURE_SUFFIX_CACHE_MAX_ENTRIES = 256;
/**
 * How long an isolate reuses a visitor's history and behaviour summary read from D1 (one list per slot on a page
 * reads it once). D1 is itself eventually consistent here (the ingest queue, about 2 s) and the live session path
 * carries the newest steps, so this bounds only how late older history shows; erasure drops this isolate's copies
 * at once and other isolates' within this time.
 */
export const VISITOR_CONTEXT_MS = 10_000;
/**
 * For this long after VISITOR_CONTEXT_MS an isolate still serves the visitor's context it holds, at once, while one
 * background read (waitUntil) replaces it: a returning visitor's list never waits on D1 behind the ingest
 * consumer's write transactions (the click-to-list path measured ~180 ms stalls there). A visitor's older history
 * thus shows at most this much later again; erasure still drops this isolate's copies at once, and other isolates'
 * within VISITOR_CONTEXT_MS + this.
 */
export const VISITOR_CONTEXT_STALE_MS = 60_000;
export const VISITOR_CONTEXT_MAX_ENTRIES = 5000;
/**
 * Visitors whose history sources' candidates (sequence, item-CF, content) an isolate keeps per model version, for
 * as long as the history they came from (src/serving/recommend.ts): a page's slots and the list after each click
 * then score only the live path. About 15 KB each at the default pools, so at most ~8 MB.
 */
export const HISTORY_CANDIDATES_MAX_ENTRIES = 500;
/**
 * Items whose decoded per-item lists an isolate keeps (src/serving/model-lists.ts), across artifacts: a decoded
 * item is a few KB (about 50 neighbours per family), so this bounds the cache near 10-20 MB.
 */
export const DECODED_LISTS_MAX_ENTRIES = 3000;

// --- Learned re-ranking stage of the pipeline (issue 9, part 9) ---

/** Evidence candidates the re-ranker reorders (src/recommend/rerank.ts): the blend's top this many (10-25 read alike on train's last day; 20 keeps HR@20 as the blend has it). */
export const RERANK_POOL = 20;
/**
 * How much of the newest training data the retrain holds out to fit the re-ranker on, with lists trained on the rest
 * (src/models/train-rerank.ts): a day, like the evaluation's validation day.
 */
export const RERANK_HOLDOUT_MS = 86_400_000;
/**
 * How many of those windows the fit reads, newest first, each held out from its own copy of the lists trained on the
 * runs before it (one more copy's training per window). 1: a second window gained only +0.0004 standard and +0.0002
 * to +0.0011 new-items MRR@20 (yoochoose train's folds 1-2 and valid.tsv, a tenth of one standard error) for twice
 * the fit's time and a second head copy (a session model and every personal family over the whole history) held in
 * the retrain's memory; 3 lost on fold 1 (docs/model.md, issue 9 part 10). The evaluation's sweep compares them.
 */
export const RERANK_HOLDOUT_DAYS = 1;
/**
 * Held-out runs the re-ranker's fit reads at most per held-out window (in history order): about 7k prefixes on
 * yoochoose-100k's day, enough for its 275 weights; caps the fit's time and memory on a large site.
 */
export const RERANK_MAX_HELDOUT_SESSIONS = 5_000;
/**
 * A version carries its predecessor's re-ranker forward unless that was fitted this long ago or more: the fit trains
 * more copies of every list (a head copy per held-out day), so doing it once a day keeps the hourly retrain at its
 * old cost.
 */
export const RERANK_REFIT_MS = 86_400_000;
/** What the re-ranker may move (src/recommend/rerank.ts `RerankScope`). */
export const RERANK_SCOPE: "all" | "revisits" = "all";
/**
 * Fewest training rows the re-ranker is fitted on; with fewer the version serves the blend's order. Its model has
 * 275 weights: fitted on 22 rows (JD's "last day"), it halved JD's MRR@20; on yoochoose 2,500 rows still gained.
 */
export const RERANK_MIN_EXAMPLES = 2_000;
