// Wire types of the snippet, taken from the Worker's zod schemas so both sides agree on one contract.
import type { EventType as SchemaEventType, IngestEvent, IngestResult } from "../schemas/events";
import type { EVENT_TYPE_TABLE } from "../schemas/event-types";
import type { PATH_EVENT_TYPES } from "./session";
import type { EventType, TrackInput } from "./api";

export type ClientEvent = IngestEvent;
export type { IngestResult };
export type { RecItem, RecList } from "./api";

// The public types (api.ts) are written out so the package's .d.ts stands alone; these fail to compile when they
// drift from the schema: a new event type, or a property value the Worker would reject.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type EventTypesMatch = Assert<Same<EventType, SchemaEventType>>;
export type PropertiesMatch = Assert<Same<NonNullable<TrackInput["properties"]>, NonNullable<IngestEvent["properties"]>>>;

/** The path types by the server's table; the snippet's written-out list must equal them. */
type Table = typeof EVENT_TYPE_TABLE;
type ServerPathType = { [T in keyof Table]: Table[T]["extendsPath"] extends true ? T : never }[keyof Table];
export type PathTypesMatch = Assert<Same<ServerPathType, (typeof PATH_EVENT_TYPES)[number]>>;
