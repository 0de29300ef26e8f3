// POST /v1/events: validate a batch, then the shared ingest path (ingest/ingest-batch.ts) stores it in D1 (one
// transaction) and hands each session its events in one Durable Object RPC.
import { Hono } from "hono";
import { MAX_BATCH_BYTES, PUBLIC_BATCH_LIMITS, SERVER_BATCH_LIMITS } from "../config/limits";
import { capBatch } from "../ingest/cap-distinct";
import { ingestBatch } from "../ingest/ingest-batch";
import { validateBatch } from "../ingest/validate-batch";
import type { AppEnv } from "../lib/app-env";
import { requireSite } from "../lib/auth";
import { readCappedText } from "../lib/body";
import { ApiError } from "../lib/errors";
import { parseJsonText } from "../lib/validate";

export const events = new Hono<AppEnv>();

events.post("/", requireSite, async (c) => {
  const now = Date.now();
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
  return c.json(await ingestBatch(c, batch, now), 200);
});
