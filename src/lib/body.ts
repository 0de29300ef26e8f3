// Reads a request body as text under a byte cap, so an oversized batch is a 413 before any parsing.
import type { Context } from "hono";
import { ApiError } from "./errors";

const ACCEPTED_TYPES = ["application/json", "text/plain"];

/**
 * Returns the body text. Accepts application/json and text/plain (navigator.sendBeacon sends text/plain to avoid a
 * CORS preflight); a missing content type is read as JSON. Checks Content-Length first, then the bytes actually read,
 * since chunked bodies carry no length.
 */
export async function readCappedText(c: Context, maxBytes: number): Promise<string> {
  const type = (c.req.header("content-type") ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (!ACCEPTED_TYPES.includes(type)) {
    throw new ApiError(415, "unsupported_media_type", `content-type must be one of ${ACCEPTED_TYPES.join(", ")}`);
  }
  const declared = Number(c.req.header("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const body = c.req.raw.body;
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "payload_too_large", `body exceeds ${maxBytes} bytes`);
}
