// SessionDO: one object per (site, session id). Holds the live ordered path of the session, drops retried events
// by id, counts its new steps into session-model statistic increments (flushed to D1 in batches, for the next
// retrain), and deletes itself after SESSION_IDLE_MINUTES without events (its single alarm), flushing first.
// It also keeps the visitor's personalization consent, so every read of its path honours a decline, and can be
// erased on request (privacy/erasure.ts).
import { DurableObject } from "cloudflare:workers";
import { DO_SQL_MAX_BOUND_PARAMETERS, MAX_SESSION_PATH, MAX_SESSION_SEEN_IDS } from "../config/limits";
import { tunables } from "../config/env";
import { PATH_TYPES, type EventType } from "../schemas/events";
import { liveStepRows, type DeltaRow } from "../models/stats-delta";
import { SessionState } from "../recommend/session-state";
import { DEFAULT_MODEL_CONFIG } from "../recommend/trainer";
import { flushDeltas } from "../storage/deltas-repo";
import { SCHEMA_VERSION, SESSION_DDL, SESSION_TABLES } from "./session-schema";
import type { AppendResult, PathStep, ServingPath, SessionEventInput, SessionSnapshot } from "./types";

/**
 * Uncounted path steps that trigger a flush before the session ends. Below MAX_SESSION_PATH so steps are counted
 * before they can fall off the bounded path; most sessions flush once, at expiry.
 */
const FLUSH_STEPS = 100;

function logFlushError(err: unknown): void {
  // The increments stay pending and go with the next flush; ingest must not fail because of them.
  console.error(JSON.stringify({ level: "error", where: "SessionDO.flush", message: err instanceof Error ? err.message : String(err) }));
}

type Meta = { siteId: string; sessionId: string; startedAt: number; lastEventAt: number; expiresAt: number };

/** Rows per multi-row insert into seen (2 parameters a row) and path (4), within the platform's bound on parameters. */
const SEEN_ROWS_PER_STATEMENT = DO_SQL_MAX_BOUND_PARAMETERS / 2;
const PATH_ROWS_PER_STATEMENT = DO_SQL_MAX_BOUND_PARAMETERS / 4;

export class SessionDO extends DurableObject<Env> {
  /** The path kept in memory too: predictions (a later step) read it on every event without touching SQLite. */
  private steps: PathStep[] = [];
  /** The scorer's view of the path: the same SessionState class the offline evaluation feeds event by event. */
  private state = new SessionState(MAX_SESSION_PATH);
  private meta: Meta | null = null;
  private nextSeq = 1;
  private seenCount = 0;
  /** Path steps (oldest first) already counted into flushed increments; persisted as meta 'counted'. */
  private counted = 0;
  private flushing = false;
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
      this.load();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private load(): void {
    const sql = this.ctx.storage.sql;
    const version = this.readVersion();
    if (version !== null && version !== SCHEMA_VERSION) {
      for (const t of SESSION_TABLES) sql.exec(`DROP TABLE IF EXISTS ${t}`);
    }
    for (const ddl of SESSION_DDL) sql.exec(ddl);
    sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
    const rows = sql.exec<{ key: string; value: string }>(`SELECT key, value FROM meta WHERE key = 'session'`).toArray();
    this.meta = rows[0] ? (JSON.parse(rows[0].value) as Meta) : null;
    this.reloadSteps();
    this.seenCount = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM seen`).one().n;
    this.counted = Number(sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'counted'`).toArray()[0]?.value ?? 0);
    this.personalization = sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'personalization'`).toArray()[0]?.value !== "0";
    const maxSeq = sql.exec<{ m: number | null }>(`SELECT MAX(seq) AS m FROM (SELECT seq FROM path UNION ALL SELECT seq FROM seen)`).one().m;
    this.nextSeq = (maxSeq ?? 0) + 1;
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
    let added = 0;
    const duplicateIds: string[] = [];
    const newSteps: (PathStep & { seq: number })[] = [];
    this.ctx.storage.transactionSync(() => {
      const sql = this.ctx.storage.sql;
      // Multi-row statements within the platform's 100 bound parameters: one statement per 50 ids and per 25 steps
      // instead of one or two per event (the per-statement cost was the largest share of an ingest's CPU). Each
      // event gets seq base + its index; a duplicate's seq is simply never used (seq only orders).
      for (let at = 0; at < events.length; at += SEEN_ROWS_PER_STATEMENT) {
        const chunk = events.slice(at, at + SEEN_ROWS_PER_STATEMENT);
        const base = this.nextSeq;
        this.nextSeq += chunk.length;
        const inserted = new Set(
          sql
            .exec<{ seq: number }>(
              `INSERT INTO seen (event_id, seq) VALUES ${chunk.map(() => "(?, ?)").join(", ")} ON CONFLICT DO NOTHING RETURNING seq`,
              ...chunk.flatMap((e, i) => [e.id, base + i]),
            )
            .toArray()
            .map((r) => r.seq),
        );
        chunk.forEach((e, i) => {
          if (!inserted.has(base + i)) return void duplicateIds.push(e.id);
          added++;
          this.seenCount++;
          if (e.itemId !== undefined && PATH_TYPES.has(e.type)) newSteps.push({ itemId: e.itemId, type: e.type, ts: e.ts, seq: base + i });
        });
      }
      for (let at = 0; at < newSteps.length; at += PATH_ROWS_PER_STATEMENT) {
        const chunk = newSteps.slice(at, at + PATH_ROWS_PER_STATEMENT);
        sql.exec(`INSERT INTO path (seq, item_id, type, ts) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`, ...chunk.flatMap((st) => [st.seq, st.itemId, st.type, st.ts]));
      }
      if (added === 0) return;
      if (personalization !== this.personalization) this.storePersonalization(personalization);
      // Trimming scans the table, so it runs only when a bound is actually exceeded (seen ids with 10% slack).
      if (this.steps.length + newSteps.length > MAX_SESSION_PATH) {
        sql.exec(`DELETE FROM path WHERE seq NOT IN (SELECT seq FROM path ORDER BY ts DESC, seq DESC LIMIT ?)`, MAX_SESSION_PATH);
      }
      if (this.seenCount > MAX_SESSION_SEEN_IDS * 1.1) {
        sql.exec(`DELETE FROM seen WHERE seq NOT IN (SELECT seq FROM seen ORDER BY seq DESC LIMIT ?)`, MAX_SESSION_SEEN_IDS);
        this.seenCount = MAX_SESSION_SEEN_IDS;
      }
      this.meta = {
        siteId,
        sessionId,
        startedAt: this.meta?.startedAt ?? now,
        lastEventAt: now,
        expiresAt: now + idleMs,
      };
      sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('session', ?)`, JSON.stringify(this.meta));
    });
    if (newSteps.length > 0) this.mergeSteps(newSteps);
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
   * Online learning: counts the path steps not yet counted into exactly the increments the trainer would count for
   * them (each with the path before it as prefix) and sends them to D1. Counting happens here, at flush time, from
   * the stored path, so an ingest costs no extra write. The increments go through an outbox: written together with
   * the new counted mark in one transaction, deleted only after D1 took them; a failed send is retried under the
   * same flush id, which D1 ignores if it had in fact arrived. A late event is counted as if appended.
   */
  private async flush(): Promise<number> {
    if (!this.meta || this.flushing) return 0;
    this.flushing = true;
    const sql = this.ctx.storage.sql;
    let sent = 0;
    try {
      // Round 0 may find the outbox still holding a failed send's increments (sent first, under their flush id);
      // otherwise, and in round 1, the uncounted steps are counted into it.
      for (let round = 0; round < 2; round++) {
        let rows: DeltaRow[] = [];
        this.ctx.storage.transactionSync(() => {
          const held = sql.exec<{ rows: string }>(`SELECT rows FROM outbox`).toArray()[0];
          if (held) return void (rows = JSON.parse(held.rows) as DeltaRow[]);
          const counted = Math.min(this.counted, this.steps.length);
          if (counted >= this.steps.length) return;
          rows = liveStepRows(this.steps.slice(0, counted), this.steps.slice(counted), DEFAULT_MODEL_CONFIG.count);
          if (rows.length > 0) sql.exec(`INSERT INTO outbox (id, n, rows) VALUES (1, ?, ?)`, rows.length, JSON.stringify(rows));
          this.counted = this.steps.length;
          sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('counted', ?)`, String(this.counted));
        });
        if (rows.length === 0) break;
        const seqRow = sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'flush_seq'`).toArray()[0];
        const seq = Number(seqRow?.value ?? 0);
        await flushDeltas(this.env.DB, this.meta.siteId, `${this.ctx.id.toString()}:${seq}`, rows);
        this.ctx.storage.transactionSync(() => {
          sql.exec(`DELETE FROM outbox`);
          sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('flush_seq', ?)`, String(seq + 1));
        });
        sent += rows.length;
      }
    } finally {
      this.flushing = false;
    }
    return sent;
  }

  /** Keeps the in-memory path equal to the stored one: ordered by (ts, arrival), newest MAX_SESSION_PATH kept. */
  private mergeSteps(newSteps: (PathStep & { seq: number })[]): void {
    const inOrder = newSteps.every((s, i) => s.ts >= (i === 0 ? (this.steps.at(-1)?.ts ?? -Infinity) : newSteps[i - 1]!.ts));
    if (inOrder) {
      for (const s of newSteps) {
        this.steps.push({ itemId: s.itemId, type: s.type, ts: s.ts });
        this.state.push(s.itemId, s.ts);
      }
      if (this.steps.length > MAX_SESSION_PATH) {
        const dropped = this.steps.length - MAX_SESSION_PATH;
        this.steps.splice(0, dropped);
        // Steps that fall off uncounted are lost to learning; FLUSH_STEPS < MAX_SESSION_PATH keeps that rare.
        this.counted = Math.max(0, this.counted - dropped);
      }
    } else {
      this.reloadSteps();
    }
  }

  private reloadSteps(): void {
    this.steps = this.ctx.storage.sql
      .exec<{ item_id: string; type: string; ts: number }>(`SELECT item_id, type, ts FROM path ORDER BY ts, seq`)
      .toArray()
      .map((r) => ({ itemId: r.item_id, type: r.type as EventType, ts: r.ts }));
    this.state = new SessionState(MAX_SESSION_PATH);
    for (const s of this.steps) this.state.push(s.itemId, s.ts);
  }

  private storePersonalization(allowed: boolean): void {
    this.personalization = allowed;
    this.ctx.storage.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('personalization', ?)`, allowed ? "1" : "0");
  }

  private ensureTables(): void {
    if (!this.tablesGone) return;
    for (const ddl of SESSION_DDL) this.ctx.storage.sql.exec(ddl);
    this.ctx.storage.sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`, String(SCHEMA_VERSION));
    this.tablesGone = false;
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
   * Erasure (or declined analytics): drops everything this object holds, including unsent model increments in the
   * outbox and the expiry alarm, and answers what it held. Nothing of the session survives on disk.
   */
  async erase(): Promise<{ steps: number; seenIds: number; pendingIncrements: number }> {
    const held = {
      steps: this.steps.length,
      seenIds: this.seenCount,
      pendingIncrements: this.tablesGone ? 0 : this.ctx.storage.sql.exec<{ n: number }>(`SELECT COALESCE(SUM(n), 0) AS n FROM outbox`).one().n,
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
    this.seenCount = 0;
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
      // A send is still in flight (started by an append): come back shortly rather than drop its increments.
      await this.armAlarm(Date.now() + 30_000);
      return;
    }
    await this.ctx.storage.deleteAll();
    this.forget();
    for (const ddl of SESSION_DDL) this.ctx.storage.sql.exec(ddl);
  }
}
