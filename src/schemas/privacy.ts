// Request contracts of the data-subject routes: self-service forget and export, export paging, erasure job ids.
import * as z from "zod";
import { idString } from "./common";

/** An export page cursor: opaque to clients; it is the last event's (ts, id) of the previous page. */
export const exportCursor = z.string().min(1).max(512, "must be at most 512 characters");

/** POST /v1/users/me/forget: the caller's own anonymous id, in the body so it never sits in a URL or a log. */
export const forgetBodySchema = z.strictObject({ anonymousId: idString });

/** POST /v1/users/me/export: the caller's own anonymous id and, for the next pages, the cursor. */
export const selfExportBodySchema = z.strictObject({ anonymousId: idString, cursor: exportCursor.optional() });

/** GET /v1/users/:id/export?cursor= */
export const exportQuerySchema = z.strictObject({ key: z.string().optional(), cursor: exportCursor.optional() });

export const erasureJobId = z.string().regex(/^er_[0-9a-f]{32}$/, "must be an erasure job id (er_ and 32 hex digits)");
