// Rewrites a format-2 lists shard into the format-1 layout (no family names, version byte 1), so tests can check
// that code reading format 2 still serves a version a format-1 deploy wrote. Unit-checked against the old encoder.

/** Format 1 = format 2 without the family-names section after the 24-byte header. */
export function toFormat1(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const familyCount = view.getUint16(10, true);
  if (familyCount !== 2) throw new Error("format 1 held exactly two lists");
  let end = 24;
  for (let f = 0; f < familyCount; f++) end += 1 + bytes[end]; // names are short: one-byte varint lengths
  const out = new Uint8Array(bytes.length - (end - 24));
  out.set(bytes.subarray(0, 24));
  out.set(bytes.subarray(end), 24);
  out[4] = 1;
  return out;
}
