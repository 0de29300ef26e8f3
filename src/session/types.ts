// Plain data shapes that cross the SessionDO RPC boundary (structured-cloned, so no classes).
import type { EventType } from "../schemas/events";

/** The part of an ingested event a session needs. */
export type SessionEventInput = { id: string; type: EventType; itemId?: string; ts: number };

export type PathStep = { itemId: string; type: EventType; ts: number };

export type SessionSnapshot = {
  siteId: string;
  sessionId: string;
  startedAt: number;
  lastEventAt: number;
  /** Server time after which the session expires unless another event arrives. */
  expiresAt: number;
  path: PathStep[];
};

export type AppendResult = {
  added: number;
  duplicates: number;
  /** Ids of the events this session had already seen (ingest reports them as duplicates). */
  duplicateIds: string[];
  pathLength: number;
  /** The path to serve from after this append (asked for by a click that refreshes a list in the same request). */
  serving?: ServingPath;
};

/** The path a read is served from and whether the visitor allows personalizing it. */
export type ServingPath = { path: string[]; personalized: boolean };
