// Binary snapshot of the session model's statistics (the state an incremental retrain starts from), stored in KV
// next to the artifact. Layout: "ERST" magic, u32 header length, JSON header (config, sessions, items, counts),
// then 8-byte aligned typed arrays. Pure (no Workers imports).
import type { CountConfig, PairArrays, SessionStats } from "../recommend/session-stats";

const MAGIC = 0x54535245; // "ERST" little-endian
const FORMAT = 1;

type Header = { format: number; config: CountConfig; sessions: number; items: string[]; nAfter: number; nWith: number };

const align8 = (n: number) => (n + 7) & ~7;

export function encodeStats(stats: SessionStats): Uint8Array {
  const header: Header = {
    format: FORMAT,
    config: stats.config,
    sessions: stats.sessions,
    items: stats.items,
    nAfter: stats.after.a.length,
    nWith: stats.with.a.length,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const nItems = stats.items.length;
  const pairBytes = (n: number) => align8(n * 4) * 2 + n * 8;
  const start = align8(8 + headerBytes.length);
  const total = start + nItems * 16 + pairBytes(header.nAfter) + pairBytes(header.nWith);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let off = start;
  const put = (arr: Float64Array | Uint32Array) => {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), off);
    off = align8(off + arr.byteLength);
  };
  put(stats.itemEvents);
  put(stats.itemSessions);
  for (const p of [stats.after, stats.with]) {
    put(p.a);
    put(p.b);
    put(p.w);
  }
  return out;
}

export function decodeStats(bytes: Uint8Array): SessionStats {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== MAGIC) throw new Error("not a statistics snapshot");
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  if (header.format !== FORMAT) throw new Error(`unsupported statistics format ${header.format}`);
  let off = align8(8 + headerLength);
  // Copies (slice) rather than views: the input may not be 8-byte aligned in its own buffer.
  const f64 = (n: number) => {
    const arr = new Float64Array(bytes.slice(off, off + n * 8).buffer);
    off = align8(off + n * 8);
    return arr;
  };
  const u32 = (n: number) => {
    const arr = new Uint32Array(bytes.slice(off, off + n * 4).buffer);
    off = align8(off + n * 4);
    return arr;
  };
  const n = header.items.length;
  const itemEvents = f64(n);
  const itemSessions = f64(n);
  const pairs = (count: number): PairArrays => {
    const a = u32(count);
    const b = u32(count);
    const w = f64(count);
    return { a, b, w };
  };
  const after = pairs(header.nAfter);
  const withPairs = pairs(header.nWith);
  return { config: header.config, sessions: header.sessions, items: header.items, itemEvents, itemSessions, after, with: withPairs };
}
