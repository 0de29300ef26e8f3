// Wire types of the snippet, taken from the Worker's zod schemas so both sides agree on one contract.
import type { IngestEvent, IngestResult } from "../schemas/events";

export type ClientEvent = IngestEvent;
export type { IngestResult };

export type RecItem = {
  id: string;
  score: number;
  reason: { kind: string; itemId?: string; text: string };
  title?: string;
  url?: string;
  image?: string;
};

export type RecList = { recommendationId: string; modelVersion: string | null; slot: string; items: RecItem[] };
