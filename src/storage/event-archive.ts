// The raw event archive in R2: gzipped NDJSON objects partitioned by site and hour of the event's time,
// events/<site>/<yyyy-mm-dd>/<hh>/<archive key>.ndjson.gz. R2 objects cannot be appended to, so the consumer writes
// one object per D1 transaction (many queue messages) and partition; the transaction that inserted an event into D1
// stamps it with its key (archive_key), so only that object holds it, and a redelivery rebuilds a key's objects
// from D1 with the same rows: each event is archived once.
import type { StoredEvent } from "./events-repo";

/**
 * One archived event: the D1 row as inserted (camelCase). profileId is the profile at insert time; a later merge
 * re-points D1's rows but not the archive's, so readers that need the current profile resolve anonymousId.
 */
export type ArchivedEvent = Omit<StoredEvent, "archiveKey">;

const PREFIX = "events/";
const HOUR_MS = 3_600_000;

/** UTC hour partition of a time: ["yyyy-mm-dd", "hh"]. */
function partitionOf(ts: number): [string, string] {
  const iso = new Date(ts).toISOString();
  return [iso.slice(0, 10), iso.slice(11, 13)];
}

/** The object of one archive key's events (one consumer transaction's; before 2026-12-02, one message's) in one partition. */
export function archiveObjectKey(siteId: string, ts: number, archiveKey: string): string {
  const [day, hour] = partitionOf(ts);
  return `${PREFIX}${siteId}/${day}/${hour}/${encodeURIComponent(archiveKey)}.ndjson.gz`;
}

/** The start of the hour a partition key names, or null for a key that is not one (e.g. a foreign object). */
function partitionStart(key: string, siteId: string): number | null {
  const rest = key.slice(`${PREFIX}${siteId}/`.length);
  const m = /^(\d{4}-\d{2}-\d{2})\/(\d{2})\//.exec(rest);
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2]}:00:00Z`);
  return Number.isFinite(t) ? t : null;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
}

/**
 * Writes one archive key's events (every stored row stamped with it) to their hour partitions, one object each, in
 * parallel. Overwrites: the same key and events always make the same keys and bytes.
 */
export async function archiveEvents(bucket: R2Bucket, siteId: string, archiveKey: string, events: readonly ArchivedEvent[]): Promise<number> {
  // Grouped by hour first: the key (a date string) is then made once per object, not once per event.
  const byHour = new Map<number, string[]>();
  for (const e of events) {
    const hour = Math.floor(e.ts / HOUR_MS);
    let lines = byHour.get(hour);
    if (!lines) byHour.set(hour, (lines = []));
    lines.push(JSON.stringify(e));
  }
  await Promise.all(
    [...byHour].map(async ([hour, lines]) =>
      bucket.put(archiveObjectKey(siteId, hour * HOUR_MS, archiveKey), await gzip(`${lines.join("\n")}\n`), {
        // Not contentEncoding: gzip, which HTTP clients would undo on the fly; the object is a .gz file.
        httpMetadata: { contentType: "application/gzip" },
        customMetadata: { events: String(lines.length) },
      }),
    ),
  );
  return byHour.size;
}

/** Objects the reader fetches at once (a Worker has 6 simultaneous connections). */
const READ_PARALLEL = 6;

/**
 * Calls `onEvent` for every archived event of the site whose hour partition starts before `beforeTs` (and whose
 * time is before it), partition by partition in key order. Returns objects and events read.
 */
export async function forEachArchivedEvent(
  bucket: R2Bucket,
  siteId: string,
  beforeTs: number,
  onEvent: (e: ArchivedEvent) => void,
): Promise<{ objects: number; events: number }> {
  let objects = 0;
  let events = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: `${PREFIX}${siteId}/`, cursor });
    const keys = page.objects.map((o) => o.key).filter((k) => (partitionStart(k, siteId) ?? Infinity) < beforeTs);
    for (let i = 0; i < keys.length; i += READ_PARALLEL) {
      const texts = await Promise.all(
        keys.slice(i, i + READ_PARALLEL).map(async (key) => {
          const object = await bucket.get(key);
          // Listed, then gone: deleted in between (erasure rewrites, lifecycle rules); nothing to read.
          if (!object) return "";
          return new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
        }),
      );
      for (const text of texts) {
        objects++;
        for (const line of text.split("\n")) {
          if (line === "") continue;
          const e = parseArchived(line);
          if (e && e.ts < beforeTs) {
            events++;
            onEvent(e);
          }
        }
      }
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return { objects, events };
}

/** Our own writes, but read back from storage: shape-checked, a damaged line is skipped and logged. */
function parseArchived(line: string): ArchivedEvent | null {
  try {
    const v: unknown = JSON.parse(line);
    if (v && typeof v === "object" && typeof (v as ArchivedEvent).id === "string" && typeof (v as ArchivedEvent).sessionId === "string" && typeof (v as ArchivedEvent).ts === "number") {
      return v as ArchivedEvent;
    }
  } catch {
    // fall through
  }
  console.error(JSON.stringify({ level: "error", job: "archive-read", message: "skipped a damaged archive line", bytes: line.length }));
  return null;
}

/** Keys one R2 delete call takes. */
const DELETE_KEYS = 1000;

/**
 * Deletes the site's archive objects whose whole hour lies before `cutoff` (EVENT_RETENTION_DAYS). Keys list in
 * time order (yyyy-mm-dd/hh), so the scan stops at the first partition to keep. At most `maxPages` list pages a
 * run; returns whether it finished, and the objects deleted.
 */
export async function pruneArchive(bucket: R2Bucket, siteId: string, cutoff: number, maxPages = 20): Promise<{ deleted: number; done: boolean }> {
  let deleted = 0;
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const list = await bucket.list({ prefix: `${PREFIX}${siteId}/`, cursor });
    const old: string[] = [];
    let reachedKept = false;
    for (const o of list.objects) {
      const start = partitionStart(o.key, siteId);
      if (start === null) continue;
      if (start + HOUR_MS > cutoff) {
        reachedKept = true;
        break;
      }
      old.push(o.key);
    }
    for (let i = 0; i < old.length; i += DELETE_KEYS) await bucket.delete(old.slice(i, i + DELETE_KEYS));
    deleted += old.length;
    if (reachedKept || !list.truncated) return { deleted, done: true };
    // Deleted keys are gone from the next listing's start, but R2's cursor is positional: continue from it.
    cursor = list.cursor;
  }
  return { deleted, done: false };
}

/**
 * Erasure's archive pass: rewrites the site's archive objects after key `after` (exclusive; "" from the start),
 * dropping the events `erased` matches (an object left empty is deleted), at most `maxObjects` objects a call.
 * Returns the key to continue after, or null when the whole archive has been read, and the events removed.
 * R2 cannot edit an object in place, so each touched object is read, filtered and written again.
 */
export async function eraseFromArchive(
  bucket: R2Bucket,
  siteId: string,
  erased: (e: ArchivedEvent) => boolean,
  after: string,
  maxObjects: number,
): Promise<{ next: string | null; removed: number }> {
  const prefix = `${PREFIX}${siteId}/`;
  const page = await bucket.list({ prefix, limit: maxObjects, ...(after === "" ? {} : { startAfter: after }) });
  let removed = 0;
  for (let i = 0; i < page.objects.length; i += READ_PARALLEL) {
    const counts = await Promise.all(
      page.objects.slice(i, i + READ_PARALLEL).map(async ({ key }) => {
        const object = await bucket.get(key);
        if (!object) return 0;
        const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
        const lines = text.split("\n").filter((l) => l !== "");
        const kept = lines.filter((l) => {
          const e = parseArchived(l);
          return e === null || !erased(e);
        });
        if (kept.length === lines.length) return 0;
        if (kept.length === 0) await bucket.delete(key);
        else await bucket.put(key, await gzip(`${kept.join("\n")}\n`), { httpMetadata: { contentType: "application/gzip" }, customMetadata: { events: String(kept.length) } });
        return lines.length - kept.length;
      }),
    );
    removed += counts.reduce((a, b) => a + b, 0);
  }
  const last = page.objects[page.objects.length - 1]?.key;
  return { next: page.truncated && last !== undefined ? last : null, removed };
}
