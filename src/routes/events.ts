// POST /v1/events: validate a batch, then the shared ingest path (ingest/ingest-batch.ts) enqueues it for D1 and
// hands each session its events in one Durable Object RPC. With `?recommend=<slot>` the answer also carries that
// slot's list for the batch's visitor, scored from the session that already holds these events: a click and its
// refreshed list in one round trip.
import { Hono } from "hono";
import type * as z from "zod";
import { MAX_BATCH_BYTES, PUBLIC_BATCH_LIMITS, SERVER_BATCH_LIMITS } from "../config/limits";
import { capBatch } from "../ingest/cap-distinct";
import { ingestBatch } from "../ingest/ingest-batch";
import { validateBatch } from "../ingest/validate-batch";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { ApiError } from "../lib/errors";
import { parseJsonText, parseOrThrow } from "../lib/validate";
import type { IngestEvent } from "../schemas/events";
import { eventsQuerySchema, recommendationsQuerySchema, type RecommendationsQuery } from "../schemas/recommendations";
import { slotList } from "./recommendations";

export const events = new Hono<AppEnv>();

type EventsQuery = z.output<typeof eventsQuerySchema>;

events.post("/", requireSite, async (c) => {
  const now = Date.now();
  const query = parseOrThrow(eventsQuerySchema, c.req.query(), "query");
  const text = await readCappedText(c, MAX_BATCH_BYTES);
  const batch = capBatch(validateBatch(parseJsonText(text), now), c.get("role") === "server" ? SERVER_BATCH_LIMITS : PUBLIC_BATCH_LIMITS);
  if (batch.events.length === 0) {
    throw new ApiError(
      400,
      "no_valid_events",
      "no event in the batch is valid",
      batch.rejected.map((r) => ({ path: `events[${r.index}].${r.field}`, message: r.message })),
    );
  }
  // Checked before anything is written: the refreshed list needs one visitor's one session.
  const refresh = query.recommend !== undefined ? refreshQuery(batch.events, query) : null;
  const { result, served } = await ingestBatch(c, batch, now, refresh?.sessionId !== undefined ? { pathOf: refresh.sessionId } : {});
  if (!refresh) return c.json(result, 200);
  // The session's path as its object answered the append: the list reads no second time from it.
  return c.json({ ...result, recommendations: await slotList(c, refresh, query.k !== undefined, served) }, 200);
});

/** The GET /v1/recommendations query of `?recommend=`: the slot, for the single session and visitor of the batch. */
function refreshQuery(list: readonly IngestEvent[], query: EventsQuery): RecommendationsQuery {
  const first = list[0]!;
  if (list.some((e) => e.sessionId !== first.sessionId || e.anonymousId !== first.anonymousId)) {
    throw new ApiError(400, "invalid_request", "invalid query: recommend: a refreshed list needs a batch of one session and one visitor", [
      { path: "recommend", message: "the batch holds several sessions or visitors" },
    ]);
  }
  const last = list.findLast((e) => e.userId !== undefined);
  return parseOrThrow(
    recommendationsQuerySchema,
    {
      slot: query.recommend,
      ...(query.k !== undefined ? { k: query.k } : {}),
      ...(query.itemId !== undefined ? { itemId: query.itemId } : {}),
      sessionId: first.sessionId,
      anonymousId: first.anonymousId,
      ...(last?.userId !== undefined ? { userId: last.userId, ...(last.userHash !== undefined ? { userHash: last.userHash } : {}) } : {}),
    },
    "query",
  );
}
