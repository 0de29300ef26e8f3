// SessionDO: one object per (site, session id). Holds the live ordered path of the session, drops retried events
// by id, and deletes itself after SESSION_IDLE_MINUTES without events (its single alarm).
import { DurableObject } from "cloudflare:workers";
import { MAX_SESSION_PATH, MAX_SESSION_SEEN_IDS } from "../config/limits";
import { tunables } from "../config/env";
import { PATH_TYPES, type EventType } from "../schemas/events";
import { SCHEMA_VERSION, SESSION_DDL, SESSION_TABLES } from "./session-schema";
import type { AppendResult, PathStep, SessionEventInput, SessionSnapshot } from "./types";

type Meta = { siteId: string; sessionId: string; startedAt: number; lastEventAt: number; expiresAt: number };

export class SessionDO extends DurableObject<Env> {
  /** The path kept in memory too: predictions (a later step) read it on every event without touching SQLite. */
  private steps: PathStep[] = [];
  private meta: Meta | null = null;
  private nextSeq = 1;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.load());
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
    this.steps = sql
      .exec<{ item_id: string; type: string; ts: number }>(`SELECT item_id, type, ts FROM path ORDER BY ts, seq`)
      .toArray()
      .map((r) => ({ itemId: r.item_id, type: r.type as EventType, ts: r.ts }));
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
   * session alive.
   */
  async append(siteId: string, sessionId: string, events: SessionEventInput[]): Promise<AppendResult> {
    const now = Date.now();
    const idleMs = tunables(this.env).SESSION_IDLE_MINUTES * 60_000;
    let added = 0;
    let duplicates = 0;
    let pathChanged = false;
    this.ctx.storage.transactionSync(() => {
      const sql = this.ctx.storage.sql;
      for (const e of events) {
        const fresh = sql.exec(`INSERT INTO seen (event_id, seq) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING seq`, e.id, this.nextSeq).toArray();
        if (fresh.length === 0) {
          duplicates++;
          continue;
        }
        const seq = this.nextSeq++;
        added++;
        if (e.itemId !== undefined && PATH_TYPES.has(e.type)) {
          sql.exec(`INSERT INTO path (seq, item_id, type, ts) VALUES (?, ?, ?, ?)`, seq, e.itemId, e.type, e.ts);
          pathChanged = true;
        }
      }
      if (added === 0) return;
      sql.exec(`DELETE FROM path WHERE seq NOT IN (SELECT seq FROM path ORDER BY ts DESC, seq DESC LIMIT ?)`, MAX_SESSION_PATH);
      sql.exec(`DELETE FROM seen WHERE seq NOT IN (SELECT seq FROM seen ORDER BY seq DESC LIMIT ?)`, MAX_SESSION_SEEN_IDS);
      this.meta = {
        siteId,
        sessionId,
        startedAt: this.meta?.startedAt ?? now,
        lastEventAt: now,
        expiresAt: now + idleMs,
      };
      sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES ('session', ?)`, JSON.stringify(this.meta));
    });
    if (pathChanged) this.reloadSteps();
    if (added > 0) await this.ctx.storage.setAlarm(now + idleMs);
    return { added, duplicates, pathLength: this.steps.length };
  }

  private reloadSteps(): void {
    this.steps = this.ctx.storage.sql
      .exec<{ item_id: string; type: string; ts: number }>(`SELECT item_id, type, ts FROM path ORDER BY ts, seq`)
      .toArray()
      .map((r) => ({ itemId: r.item_id, type: r.type as EventType, ts: r.ts }));
  }

  /** The session as it stands, or null when it never existed or has expired. */
  snapshot(): SessionSnapshot | null {
    if (!this.meta) return null;
    return { ...this.meta, path: this.steps.slice() };
  }

  /** Idle timeout reached: forget everything. Alarms are at-least-once; deleting twice is harmless. */
  async alarm(): Promise<void> {
    // Read the stored activity time (not the in-memory copy): it is the durable truth after an eviction.
    const row = this.ctx.storage.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'session'`).toArray()[0];
    const lastEventAt = row ? (JSON.parse(row.value) as Meta).lastEventAt : 0;
    const idleMs = tunables(this.env).SESSION_IDLE_MINUTES * 60_000;
    // An event may have arrived after this alarm was scheduled; re-arm instead of deleting a live session.
    if (row && Date.now() < lastEventAt + idleMs) {
      await this.ctx.storage.setAlarm(lastEventAt + idleMs);
      return;
    }
    await this.ctx.storage.deleteAll();
    this.steps = [];
    this.meta = null;
    this.nextSeq = 1;
    for (const ddl of SESSION_DDL) this.ctx.storage.sql.exec(ddl);
  }
}
