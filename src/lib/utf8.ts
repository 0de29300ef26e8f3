// UTF-8 sizes of strings, for the byte limits of events and queue messages: a plain-ASCII string (most events) is
// measured without encoding (allocating) it.
const encoder = new TextEncoder();
const ASCII = /^[\x00-\x7f]*$/;

export function utf8Length(text: string): number {
  return ASCII.test(text) ? text.length : encoder.encode(text).byteLength;
}
