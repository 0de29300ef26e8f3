// SessionDO: one object per (site, session id). Holds the live ordered path of the session, drops retried events
// by id, sends its new steps to D1 in batches for the next retrain to count into the session model, and deletes
// itself after SESSION_IDLE_MINUTES without events (its single alarm), flushing first.
// It also keeps the visitor's personalization consent, so every read of its path honours a decline, and can be
// erased on request (privacy/erasure.ts).
import { DurableObject } from "cloudflare:workers";
import { MAX_SESSION_PATH, MAX_SESSION_SEEN_IDS } from "../config/limits";
import { tunables } from "../config/env";
import { PATH_TYPES, type EventType } from "../schemas/events";
import { SessionState } from "../recommend/session-state";
import { stepsBody } from "../models/flush-body";
import { flushDeltas } from "../storage/deltas-repo";
import { SCHEMA_VERSION, SESSION_DDL, SESSION_TABLES } from "./session-schema";
import type { AppendResult, PathStep, ServingPath, SessionEventInput, SessionSnapshot } from "./types";

/**
 * Uncounted path steps that trigger a flush before the session ends. Below MAX_SESSION_PATH so steps are counted
 * before they can fall off the bounded path; most sessions flush once, at expiry.
 */
const FLUSH_STEPS = 100;

function logFlushError(err: unknown): void {
  // The steps stay pending and go with the next flush; ingest must not fail because of them.
  console.error(JSON.stringify({ level: "error", where: "SessionDO.flush", message: err instanceof Error ? err.message : String(err) }));
}

type Meta = { siteId: string; sessionId: string; startedAt: number; lastEventAt: number; expiresAt: number };

/** Stored ids and steps past these bounds are rewritten as one row holding only what is kept (seen ids: 10% slack). */
const SEEN_COMPACT_AT = Math.floor(MAX_SESSION_SEEN_IDS * 1.1);
const PATH_COMPACT_AT = Math.floor(MAX_SESSION_PATH * 1.5);

/** A stored path step: [itemId, type, ts]. */
type StepRow = [string, EventType, number];

export class SessionDO extends DurableObject<Env> {
  /** The path kept in memory too: predictions (a later step) read it on every event without touching SQLite. */
  private steps: PathStep[] = [];
  /** The scorer's view of the path: the same SessionState class the offline evaluation feeds event by event. */
  private state = new SessionState(MAX_SESSION_PATH);
  private meta: Meta | null = null;
  /** The seq of the next append's rows (one seen_ids and one path_steps row per append). */
  private nextSeq = 1;
  /** The event ids this session has seen, in arrival order (a Set keeps it): duplicates are checked here, not in SQLite. */
  private seenIds = new Set<string>();
  /** Steps held in path_steps rows (the kept path plus any not yet compacted away). */
  private storedSteps = 0;
  /** Path steps (oldest first) already flushed (in D1 or the outbox); persisted as meta 'counted'. */
  private counted = 0;
  private flushing = false;
  /** The next flush's sequence number (its flush id's suffix); persisted as meta 'flush_seq'. */
  private flushSeq = 0;
  /** The visitor's personalization consent as last told by ingest or POST /v1/consent; persisted as meta. */
  private personalization = true;
  /** Set by erase(): deleteAll() dropped the tables too, and they are recreated only when the session is used again. */
  private tablesGone = false;
  /**
   * When the expiry alarm is due, or null when none is set. An append sets the alarm only when none is pending:
   * the alarm re-arms itself from the stored last activity, so a session pays one alarm write per idle period
   * instead of one per append (a storage write on the click-to-list path).
   */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      // A new object (most ingests of a new session) has nothing stored to read, no alarm included.
      if (this.load()) this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Creates or upgrades the tables and reads what they hold into memory; false for an object with nothing stored. */
  private load(): boolean {
    const sql = this.ctx.storage.sql;
    const version = this.readVersion();
    const fromV5 = version === 5;
    if (version !== null && version !== SCHEMA_VERSION && !fromV5) {
      for (const t of SESSION_TABLES) sql.exec(`DROP TABLE IF EXISTS ${t}`);
    }
    if (version !== SCHEMA_VERSION) {
      this.ctx.storage.transactionSync(() => {
        for (const ddl of SESSION_DDL) sql.exec(ddl);
        if (fromV5) this.moveFromV5();
        sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
      });
      if (version === null) return false;
    }
    const meta = new Map(sql.exec<{ key: string; value: string }>(`SELECT key, value FROM meta`).toArray().map((r) => [r.key, r.value]));
    const session = meta.get("session");
    this.meta = session ? (JSON.parse(session) as Meta) : null;
    this.counted = Number(meta.get("counted") ?? 0);
    this.flushSeq = Number(meta.get("flush_seq") ?? 0);
    this.personalization = meta.get("personalization") !== "0";
    this.reloadSteps();
    for (const r of sql.exec<{ ids: string }>(`SELECT ids FROM seen_ids ORDER BY seq`)) {
      for (const id of JSON.parse(r.ids) as string[]) this.seenIds.add(id);
    }
    const maxSeq = sql.exec<{ m: number | null }>(`SELECT MAX(seq) AS m FROM (SELECT seq FROM path_steps UNION ALL SELECT seq FROM seen_ids)`).one().m;
    this.nextSeq = (maxSeq ?? 0) + 1;
    return true;
  }

  /** A live v5 session (a row per id and per step) moved into v6's rows, so a deploy loses no path or dedup. */
  private moveFromV5(): void {
    const sql = this.ctx.storage.sql;
    const ids = sql.exec<{ event_id: string }>(`SELECT event_id FROM seen ORDER BY seq`).toArray().map((r) => r.event_id);
    const steps = sql
      .exec<{ item_id: string; type: EventType; ts: number }>(`SELECT item_id, type, ts FROM path ORDER BY ts, seq`)
      .toArray()
      .map((r): StepRow => [r.item_id, r.type, r.ts]);
    if (ids.length > 0) sql.exec(`INSERT INTO seen_ids (seq, ids) VALUES (1, ?)`, JSON.stringify(ids));
    if (steps.length > 0) sql.exec(`INSERT INTO path_steps (seq, steps) VALUES (1, ?)`, JSON.stringify(steps));
    sql.exec(`DROP TABLE seen`);
    sql.exec(`DROP TABLE path`);
  }

  private readVersion(): number | null {
    const sql = this.ctx.storage.sql;
    const hasMeta = sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).toArray().length > 0;
    if (!hasMeta) return null;
    const row = sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`).toArray()[0];
    return row ? Number(row.value) : null;
  }

  /**
   * Appends a batch of this session's events (one RPC per session per ingest request). Events already seen are
   * skipped, so a retried batch changes nothing. Only path types extend the path, but every event keeps the
   * session alive. `personalization` is the visitor's current consent, read by ingest with the batch's context.
   * `withPath`: the answer carries the serving path too (a click refreshing a list reads it without a second RPC).
   */
  async append(siteId: string, sessionId: string, events: SessionEventInput[], personalization = true, withPath = false): Promise<AppendResult> {
    const now = Date.now();
    this.ensureTables();
    const idleMs = tunables(this.env).SESSION_IDLE_MINUTES * 60_000;
    // Duplicates are checked against the ids in memory (loaded with the object), before anything is written.
    const duplicateIds: string[] = [];
    const fresh: string[] = [];
    const batchIds = new Set<string>();
    const newSteps: PathStep[] = [];
    for (const e of events) {
      if (this.seenIds.has(e.id) || batchIds.has(e.id)) {
        duplicateIds.push(e.id);
        continue;
      }
      batchIds.add(e.id);
      fresh.push(e.id);
      if (e.itemId !== undefined && PATH_TYPES.has(e.type)) newSteps.push({ itemId: e.itemId, type: e.type, ts: e.ts });
    }
    const added = fresh.length;
    if (added > 0) {
      const merged = newSteps.length > 0 ? mergedPath(this.steps, newSteps) : null;
      // Past their bounds the stored ids and steps are rewritten as one row of what is kept.
      const keptIds = this.seenIds.size + added > SEEN_COMPACT_AT ? [...this.seenIds, ...fresh].slice(-MAX_SESSION_SEEN_IDS) : null;
      const compactPath = merged !== null && this.storedSteps + newSteps.length > PATH_COMPACT_AT;
      const seq = this.nextSeq;
      const meta: Meta = { siteId, sessionId, startedAt: this.meta?.startedAt ?? now, lastEventAt: now, expiresAt: now + idleMs };
      // Storage first, memory after: if the transaction throws, the object still holds what storage holds, and the
      // client's retry is not mistaken for a duplicate.
      this.ctx.storage.transactionSync(() => {
        const sql = this.ctx.storage.sql;
        if (keptIds) sql.exec(`DELETE FROM seen_ids`);
        sql.exec(`INSERT INTO seen_ids (seq, ids) VALUES (?, ?)`, seq, JSON.stringify(keptIds ?? fresh));
        if (merged) {
          if (compactPath) sql.exec(`DELETE FROM path_steps`);
          sql.exec(`INSERT INTO path_steps (seq, steps) VALUES (?, ?)`, seq, JSON.stringify((compactPath ? merged.steps : newSteps).map(stepRow)));
        }
        if (personalization !== this.personalization) this.storePersonalization(personalization);
        sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('session', ?)`, JSON.stringify(meta));
      });
      this.nextSeq = seq + 1;
      this.meta = meta;
      if (keptIds) this.seenIds = new Set(keptIds);
      else for (const id of fresh) this.seenIds.add(id);
      if (merged) {
        this.applyPath(merged, newSteps);
        this.storedSteps = compactPath ? merged.steps.length : this.storedSteps + newSteps.length;
      }
    }
    if (added > 0 && this.alarmAt === null) await this.armAlarm(now + idleMs);
    // The flush runs after this call answers: ingest never waits for it.
    if (this.steps.length - this.counted >= FLUSH_STEPS) this.ctx.waitUntil(this.flush().catch((err) => logFlushError(err)));
    const result: AppendResult = { added, duplicates: duplicateIds.length, duplicateIds, pathLength: this.steps.length };
    if (withPath) result.serving = this.servingPath();
    return result;
  }

  private async armAlarm(at: number): Promise<void> {
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * Online learning: sends the path steps not yet counted, with the path before them, to D1, where the next retrain
   * counts them into exactly the increments it would count for them (each with the path before it as prefix; see
   * models/flush-body.ts). Sending the steps rather than their increments keeps the flush small: a dozen
   * increments per step were a quarter of a 100-event ingest's thread time. The steps go through an outbox: written
   * together with the new counted mark in one transaction, deleted only after D1 took them; a failed send is retried
   * under the same flush id, which D1 ignores if it had in fact arrived. A late event is counted as if appended.
   */
  private async flush(): Promise<number> {
    if (!this.meta || this.flushing) return 0;
    this.flushing = true;
    const sql = this.ctx.storage.sql;
    let sent = 0;
    try {
      // Round 0 may find the outbox still holding a failed send (sent first, under its flush id); otherwise, and in
      // round 1, the uncounted steps go into it.
      for (let round = 0; round < 2; round++) {
        let body = "";
        let n = 0;
        this.ctx.storage.transactionSync(() => {
          const held = sql.exec<{ n: number; rows: string }>(`SELECT n, rows FROM outbox`).toArray()[0];
          if (held) {
            n = held.n;
            body = held.rows;
            return;
          }
          const counted = Math.min(this.counted, this.steps.length);
          if (counted >= this.steps.length) return;
          n = this.steps.length - counted;
          body = stepsBody(this.steps.slice(0, counted), this.steps.slice(counted));
          sql.exec(`INSERT INTO outbox (id, n, rows) VALUES (1, ?, ?)`, n, body);
          this.counted = this.steps.length;
          sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('counted', ?)`, String(this.counted));
        });
        if (n === 0) break;
        const seq = this.flushSeq;
        await flushDeltas(this.env.DB, this.meta.siteId, `${this.ctx.id.toString()}:${seq}`, body, n);
        this.ctx.storage.transactionSync(() => {
          sql.exec(`DELETE FROM outbox`);
          sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('flush_seq', ?)`, String(seq + 1));
        });
        this.flushSeq = seq + 1;
        sent += n;
      }
    } finally {
      this.flushing = false;
    }
    return sent;
  }

  /** Takes a merged path as the in-memory one (the stored rows already hold it), with the scorer's state. */
  private applyPath(merged: MergedPath, newSteps: readonly PathStep[]): void {
    if (merged.inOrder) {
      for (const st of newSteps) this.state.push(st.itemId, st.ts);
      // Steps that fall off uncounted are lost to learning; FLUSH_STEPS < MAX_SESSION_PATH keeps that rare.
      this.counted = Math.max(0, this.counted - merged.dropped);
    } else {
      this.state = new SessionState(MAX_SESSION_PATH);
      for (const st of merged.steps) this.state.push(st.itemId, st.ts);
    }
    this.steps = merged.steps;
  }

  /** The path from its rows: every stored step in (ts, arrival) order, newest MAX_SESSION_PATH kept. */
  private reloadSteps(): void {
    const all: PathStep[] = [];
    for (const r of this.ctx.storage.sql.exec<{ steps: string }>(`SELECT steps FROM path_steps ORDER BY seq`)) {
      for (const [itemId, type, ts] of JSON.parse(r.steps) as StepRow[]) all.push({ itemId, type, ts });
    }
    this.storedSteps = all.length;
    this.steps = mergedPath([], all).steps;
    this.state = new SessionState(MAX_SESSION_PATH);
    for (const st of this.steps) this.state.push(st.itemId, st.ts);
  }

  private storePersonalization(allowed: boolean): void {
    this.personalization = allowed;
    this.ctx.storage.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('personalization', ?)`, allowed ? "1" : "0");
  }

  private ensureTables(): void {
    if (!this.tablesGone) return;
    this.createTables();
    this.tablesGone = false;
  }

  /**
   * Empty tables after deleteAll(), which keep the flush sequence: the object's next session flushes under new flush
   * ids, not ones whose rows an unconsumed earlier flush may still hold in D1 (which would ignore them).
   */
  private createTables(): void {
    const sql = this.ctx.storage.sql;
    for (const ddl of SESSION_DDL) sql.exec(ddl);
    sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
    if (this.flushSeq > 0) sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('flush_seq', ?)`, String(this.flushSeq));
  }

  /**
   * The item path the recommenders score, oldest first (empty for an unknown or expired session, and for a visitor
   * who declined personalization: no caller can personalize from it by mistake).
   */
  itemPath(): string[] {
    return this.personalization ? this.state.path() : [];
  }

  /** The path to serve from and whether personalizing is allowed, in one RPC (GET /v1/sessions/:id/next). */
  servingPath(): ServingPath {
    return { path: this.itemPath(), personalized: this.personalization };
  }

  /** Applies a consent change to a live session. Returns false (and stores nothing) when no session is live. */
  setPersonalization(allowed: boolean): boolean {
    if (!this.meta) return false;
    if (allowed !== this.personalization) this.storePersonalization(allowed);
    return true;
  }

  /**
   * Erasure (or declined analytics): drops everything this object holds, including the unsent flush in the
   * outbox (`pendingFlush`: its steps, or increments from before flush bodies v2) and the expiry alarm, and
   * answers what it held. Nothing of the session survives on disk.
   */
  async erase(): Promise<{ steps: number; seenIds: number; pendingFlush: number }> {
    const held = {
      steps: this.steps.length,
      seenIds: this.seenIds.size,
      pendingFlush: this.tablesGone ? 0 : this.ctx.storage.sql.exec<{ n: number }>(`SELECT COALESCE(SUM(n), 0) AS n FROM outbox`).one().n,
    };
    await this.ctx.storage.deleteAlarm();
    this.alarmAt = null;
    await this.ctx.storage.deleteAll();
    this.forget();
    this.tablesGone = true;
    return held;
  }

  /** The in-memory half of forgetting everything (storage is deleted by the caller). */
  private forget(): void {
    this.steps = [];
    this.state = new SessionState(MAX_SESSION_PATH);
    this.counted = 0;
    this.meta = null;
    this.nextSeq = 1;
    this.seenIds = new Set();
    this.storedSteps = 0;
    this.personalization = true;
  }

  /** The session as it stands, or null when it never existed or has expired. */
  snapshot(): SessionSnapshot | null {
    if (!this.meta) return null;
    return { ...this.meta, path: this.steps.slice() };
  }

  /** Idle timeout reached: forget everything. Alarms are at-least-once; deleting twice is harmless. */
  async alarm(): Promise<void> {
    // This alarm is spent; the paths below that keep the session arm a new one. (If the handler throws, the
    // platform retries it; an append meanwhile arms a later one, which is harmless.)
    this.alarmAt = null;
    // An alarm that fires after erase() (at-least-once delivery) finds nothing to do.
    if (this.tablesGone) return;
    // Read the stored activity time (not the in-memory copy): it is the durable truth after an eviction.
    const row = this.ctx.storage.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'session'`).toArray()[0];
    const lastEventAt = row ? (JSON.parse(row.value) as Meta).lastEventAt : 0;
    const idleMs = tunables(this.env).SESSION_IDLE_MINUTES * 60_000;
    // An event may have arrived after this alarm was scheduled; re-arm instead of deleting a live session.
    if (row && Date.now() < lastEventAt + idleMs) {
      await this.armAlarm(lastEventAt + idleMs);
      return;
    }
    // Flush before forgetting; if D1 is unavailable the alarm throws and is retried, so nothing is lost.
    await this.flush();
    const left = this.ctx.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox`).one().n;
    if (this.flushing || left > 0 || this.counted < this.steps.length) {
      // A send is still in flight (started by an append): come back shortly rather than drop its steps.
      await this.armAlarm(Date.now() + 30_000);
      return;
    }
    await this.ctx.storage.deleteAll();
    this.forget();
    this.createTables();
  }
}

/**
 * A path after new steps arrive (oldest first): ordered by (ts, arrival), the newest MAX_SESSION_PATH kept. `inOrder`:
 * the new steps only extend it (the usual case: the scorer's state can push them), `dropped` then counts steps that
 * fell off its start.
 */
type MergedPath = { steps: PathStep[]; inOrder: boolean; dropped: number };

function mergedPath(steps: readonly PathStep[], added: readonly PathStep[]): MergedPath {
  const inOrder = added.every((st, i) => st.ts >= (i === 0 ? (steps.at(-1)?.ts ?? -Infinity) : added[i - 1]!.ts));
  // A stable sort by ts keeps arrival order among equal times: older steps first, then the batch in its order.
  const all = inOrder ? [...steps, ...added] : [...steps, ...added].sort((a, b) => a.ts - b.ts);
  const dropped = Math.max(0, all.length - MAX_SESSION_PATH);
  return { steps: dropped > 0 ? all.slice(dropped) : all, inOrder, dropped };
}

function stepRow(st: PathStep): StepRow {
  return [st.itemId, st.type, st.ts];
}
