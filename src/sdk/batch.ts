// Batching and retry timing: requests stay under the beacon limit and the server's batch size; retries spread out.
import { MAX_BATCH_EVENTS, MAX_BEACON_BYTES } from "../config/limits";
import type { ClientEvent } from "./types";

/** Room for the `{"events":[` envelope and separators under the 64 KB in-flight limit of beacons and keepalive. */
const LIMIT = MAX_BEACON_BYTES - 64;

/** Splits events into request bodies, each under the beacon limit and the server's per-batch count. */
export function splitBatches(events: readonly ClientEvent[]): ClientEvent[][] {
  const out: ClientEvent[][] = [];
  let cur: ClientEvent[] = [];
  let size = 0;
  for (const e of events) {
    const n = JSON.stringify(e).length + 1;
    if (cur.length > 0 && (size + n > LIMIT || cur.length >= MAX_BATCH_EVENTS)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    // A single event over the limit would never be deliverable: the server caps events far lower anyway.
    if (n > LIMIT) continue;
    cur.push(e);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Exponential backoff with full jitter: 1 s, 2 s, 4 s … capped at 60 s, times a random factor in [0.5, 1). */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.5 + random() / 2));
}
