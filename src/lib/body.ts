// Reads a request body as text under a byte cap, so an oversized batch is a 413 before any parsing.
import type { Context } from "hono";
import { ApiError } from "./errors";

const ACCEPTED_TYPES = ["application/json", "text/plain"];

export type BodyOptions = {
  /** Read any content type as JSON text (Segment-compatible clients send octet-stream, or none). */
  anyContentType?: boolean;
  /** Accept `Content-Encoding: gzip` (RudderStack's node client gzips by default). */
  gzip?: boolean;
};

/**
 * Returns the body text. Accepts application/json and text/plain (navigator.sendBeacon sends text/plain to avoid a
 * CORS preflight); a missing content type is read as JSON. Checks Content-Length first, then the bytes actually read,
 * since chunked bodies carry no length.
 */
export async function readCappedText(c: Context, maxBytes: number, options: BodyOptions = {}): Promise<string> {
  const type = (c.req.header("content-type") ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (!options.anyContentType && !ACCEPTED_TYPES.includes(type)) {
    throw new ApiError(415, "unsupported_media_type", `content-type must be one of ${ACCEPTED_TYPES.join(", ")}`);
  }
  const declared = Number(c.req.header("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const encoding = (c.req.header("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && !(options.gzip && encoding === "gzip")) {
    throw new ApiError(415, "unsupported_content_encoding", `content-encoding must be ${options.gzip ? "gzip or identity" : "identity"}`);
  }
  const raw = c.req.raw.body;
  if (!raw) return "";
  // The cap counts decoded bytes, so a small gzip bomb stops at maxBytes like any other oversized body.
  const body = encoding === "gzip" ? raw.pipeThrough(new DecompressionStream("gzip")) : raw;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      // Only the decoder fails on bad input; a failing network read is not the client's fault.
      if (encoding === "gzip" && err instanceof TypeError) throw new ApiError(400, "malformed_body", "body is not valid gzip");
      throw err;
    }
    const { done, value } = chunk;
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
