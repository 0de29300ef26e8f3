// The compact binary format of the model artifacts (session lists, personal lists): one "lists" shard per hash
// bucket of item ids, plus one popularity blob. Pure TypeScript (no Workers imports) so the cron, the Worker and the eval CLI share it.
//
// Layout of a lists shard (little-endian), format 2:
//   header   magic "ERS1" | u8 version=2 | u8 kind=1 | u16 shardIndex | u16 nShards | u16 familyCount
//            | u32 ownedCount | u32 stringCount | u32 stringsBytes
//   families familyCount × (varint byteLength, UTF-8 name), in stored order: the named per-item list families
//            (session: "after", "with"; personal: "itemCf", "content"), so no reader guesses what a slot holds.
//   strings  stringCount × (varint byteLength, UTF-8 bytes). The shard's own items come first, sorted by their
//            UTF-8 bytes (binary search); then every other id the lists name, most referenced first (short varints).
//   offsets  (ownedCount + 1) × u32: where each owned item's list block starts, relative to the lists section.
//   lists    per owned item, one list per family in the families' order: varint n; if n > 0: f32 maxScore,
//            n × varint stringIndex, n × u8 quantised score.
// Neighbour ids are in the shard's own string table rather than a global vocabulary: scoring a path then reads
// exactly one shard per path item, and popular neighbours are stored once per shard, not once per list.
// Format 1 had no families section and exactly two lists; it is still read, its slots named by the caller.
// Scores are log-quantised against the list's max: 16 steps per octave over 16 octaves, <= 2.2% relative error.
import type { Neighbour } from "../recommend/types";

export const ARTIFACT_MAGIC = 0x31535245; // "ERS1" read as a little-endian u32
export const ARTIFACT_VERSION = 2;
/** Formats this code decodes: the current one, and format 1 so a deployed version keeps serving until a retrain. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];
/** The session artifact's families, and what a format-1 shard's two slots mean when the caller names none. */
export const SESSION_FAMILIES = ["after", "with"] as const;
const KIND_LISTS = 1;
const KIND_POPULAR = 2;
const STEPS_PER_OCTAVE = 16;

const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in an id instead of stripping it, so ids round-trip exactly.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * One item's lists by family name; a family the artifact lacks reads back as undefined. A reader that knows its
 * artifact narrows `F` to its family names, so a misspelt family fails to compile.
 */
export type FamilyLists<F extends string = string> = Readonly<Partial<Record<F, readonly Neighbour[]>>>;

/** One item's lists as the encoder takes them (scores sorted descending, all > 0). */
export type ShardEntry = { itemId: string; lists: FamilyLists };

export type ShardHeader = {
  version: number;
  shardIndex: number;
  nShards: number;
  itemCount: number;
  stringCount: number;
  /** The list families every owned item holds, in stored order. */
  families: readonly string[];
};

/**
 * Encodes the items of one shard with one list per family (in `families`' order; an entry's lists under other
 * names are not stored). Items may come in any order; empty lists are kept (the item is known).
 */
export function encodeShard(
  entries: readonly ShardEntry[],
  shardIndex: number,
  nShards: number,
  families: readonly string[] = SESSION_FAMILIES,
): Uint8Array {
  if (new Set(families).size !== families.length || families.some((f) => f === "")) throw new Error("family names must be unique and non-empty");
  const owned = entries.map((e) => ({ e, bytes: utf8.encode(e.itemId) })).sort((x, y) => compareBytes(x.bytes, y.bytes));
  for (let i = 1; i < owned.length; i++) {
    if (compareBytes(owned[i - 1].bytes, owned[i].bytes) === 0) throw new Error(`duplicate item ${owned[i].e.itemId}`);
  }
  // String table: owned ids first, then the other referenced ids by descending reference count.
  const index = new Map<string, number>();
  owned.forEach((o, i) => index.set(o.e.itemId, i));
  const refs = new Map<string, number>();
  for (const { e } of owned) {
    for (const f of families) for (const n of e.lists[f] ?? []) if (!index.has(n.itemId)) refs.set(n.itemId, (refs.get(n.itemId) ?? 0) + 1);
  }
  const others = [...refs].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([id]) => id);
  for (const id of others) index.set(id, index.size);

  const w = new ByteWriter();
  w.u32(ARTIFACT_MAGIC);
  w.u8(ARTIFACT_VERSION);
  w.u8(KIND_LISTS);
  w.u16(shardIndex);
  w.u16(nShards);
  w.u16(families.length);
  w.u32(owned.length);
  w.u32(index.size);
  const stringsBytesAt = w.length;
  w.u32(0);
  for (const f of families) w.bytesWithLength(utf8.encode(f));
  const stringsStart = w.length;
  for (const o of owned) w.bytesWithLength(o.bytes);
  for (const id of others) w.bytesWithLength(utf8.encode(id));
  w.patchU32(stringsBytesAt, w.length - stringsStart);

  const body = new ByteWriter();
  const offsets: number[] = [];
  for (const { e } of owned) {
    offsets.push(body.length);
    for (const f of families) writeList(body, e.lists[f] ?? [], index);
  }
  offsets.push(body.length);
  for (const off of offsets) w.u32(off);
  w.append(body.finish());
  return w.finish();
}

/** A decoded shard: header facts and lookups that decode only the requested item's lists. */
export type DecodedShard = ShardHeader & {
  /** The item's lists by family name, or undefined if this shard does not own it. */
  get(itemId: string): FamilyLists | undefined;
  has(itemId: string): boolean;
  /** The ids this shard owns, in stored (byte) order. */
  items(): string[];
};

/**
 * Parses a lists shard. Cost is one pass over the string lengths; strings and lists are decoded on demand and
 * neighbour ids are cached, so a hot shard answers repeat lookups without re-decoding. `legacyFamilies` names the
 * two slots of a format-1 shard, which stored no names (the personal artifact's were item-CF, then content).
 */
export function decodeShard(bytes: Uint8Array, legacyFamilies: readonly [string, string] = SESSION_FAMILIES): DecodedShard {
  const r = new ByteReader(bytes);
  const h = readHeader(r, KIND_LISTS);
  const familyCount = r.u16();
  if (h.version === 1 && familyCount !== 2) throw new Error(`unsupported list kinds ${familyCount}`);
  const itemCount = r.u32();
  const stringCount = r.u32();
  const stringsBytes = r.u32();
  const families: string[] = [];
  if (h.version === 1) families.push(...legacyFamilies);
  else for (let f = 0; f < familyCount; f++) families.push(utf8Decoder.decode(r.bytes(r.varint())));
  const stringsStart = r.pos;
  const stringStarts = new Uint32Array(stringCount);
  const stringLengths = new Uint32Array(stringCount);
  for (let i = 0; i < stringCount; i++) {
    stringLengths[i] = r.varint();
    stringStarts[i] = r.pos;
    r.skip(stringLengths[i]);
  }
  if (r.pos !== stringsStart + stringsBytes) throw new Error("corrupt shard: string table size mismatch");
  const offsetsAt = r.pos;
  const listsAt = offsetsAt + 4 * (itemCount + 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (listsAt + view.getUint32(offsetsAt + 4 * itemCount, true) !== bytes.length) throw new Error("corrupt shard: truncated lists");

  const names: (string | undefined)[] = new Array(stringCount);
  const name = (i: number): string => {
    let s = names[i];
    if (s === undefined) {
      if (i >= stringCount) throw new Error("corrupt shard: string index out of range");
      s = utf8Decoder.decode(bytes.subarray(stringStarts[i], stringStarts[i] + stringLengths[i]));
      names[i] = s;
    }
    return s;
  };
  const find = (itemId: string): number => {
    const key = utf8.encode(itemId);
    let lo = 0;
    let hi = itemCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(bytes.subarray(stringStarts[mid], stringStarts[mid] + stringLengths[mid]), key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  return {
    ...h,
    itemCount,
    stringCount,
    families,
    has: (itemId) => find(itemId) >= 0,
    get(itemId) {
      const i = find(itemId);
      if (i < 0) return undefined;
      const lr = new ByteReader(bytes, listsAt + view.getUint32(offsetsAt + 4 * i, true));
      const lists: Record<string, readonly Neighbour[]> = {};
      for (const f of families) lists[f] = readList(lr, name);
      return lists;
    },
    items: () => Array.from({ length: itemCount }, (_, i) => name(i)),
  };
}

/** Encodes the popularity back-fill list (ids with quantised scores, best first). */
export function encodePopular(list: readonly Neighbour[]): Uint8Array {
  const w = new ByteWriter();
  w.u32(ARTIFACT_MAGIC);
  w.u8(ARTIFACT_VERSION);
  w.u8(KIND_POPULAR);
  w.u16(0);
  w.u32(list.length);
  const index = new Map<string, number>();
  list.forEach((n, i) => index.set(n.itemId, i));
  if (index.size !== list.length) throw new Error("duplicate item in popularity list");
  for (const n of list) w.bytesWithLength(utf8.encode(n.itemId));
  writeList(w, list, index);
  return w.finish();
}

export function decodePopular(bytes: Uint8Array): Neighbour[] {
  const r = new ByteReader(bytes);
  readHeader(r, KIND_POPULAR);
  const n = r.u32();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(utf8Decoder.decode(r.bytes(r.varint())));
  return readList(r, (i) => ids[i]);
}

/** Quantises score/max into a byte: 255 = the max, each step down is 1/16 octave lower; 0 = at most 2^-16 max. */
export function quantise(score: number, max: number): number {
  if (!(score > 0) || !(max > 0)) return 0;
  const steps = Math.round(-Math.log2(score / max) * STEPS_PER_OCTAVE);
  return Math.max(0, Math.min(255, 255 - steps));
}

export function dequantise(q: number, max: number): number {
  return max * Math.pow(2, -(255 - q) / STEPS_PER_OCTAVE);
}

function writeList(w: ByteWriter, list: readonly Neighbour[], index: Map<string, number>): void {
  w.varint(list.length);
  if (list.length === 0) return;
  let max = 0;
  for (const n of list) max = Math.max(max, n.score);
  // Store the max rounded to f32 and quantise against that, so decode reproduces the same top score.
  const maxF32 = Math.fround(max);
  w.f32(maxF32);
  for (const n of list) {
    const i = index.get(n.itemId);
    if (i === undefined) throw new Error(`unindexed neighbour ${n.itemId}`);
    w.varint(i);
  }
  for (const n of list) w.u8(quantise(n.score, maxF32));
}

function readList(r: ByteReader, name: (i: number) => string): Neighbour[] {
  const n = r.varint();
  if (n === 0) return [];
  const max = r.f32();
  const refs: number[] = [];
  for (let i = 0; i < n; i++) refs.push(r.varint());
  const out: Neighbour[] = [];
  for (let i = 0; i < n; i++) out.push({ itemId: name(refs[i]), score: dequantise(r.u8(), max) });
  return out;
}

function readHeader(r: ByteReader, kind: number): { version: number; shardIndex: number; nShards: number } {
  if (r.length < 8 || r.u32() !== ARTIFACT_MAGIC) throw new Error("not an edgerec model artifact (bad magic)");
  const version = r.u8();
  if (!READABLE_VERSIONS.includes(version)) throw new Error(`unsupported artifact version ${version}`);
  const k = r.u8();
  if (k !== kind) throw new Error(`expected artifact kind ${kind}, got ${k}`);
  const shardIndex = r.u16();
  const nShards = kind === KIND_LISTS ? r.u16() : 1;
  return { version, shardIndex, nShards };
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    if (v > 0xffff) throw new RangeError("u16 overflow");
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  varint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError("varint out of range");
    while (v >= 0x80) {
      this.u8((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.u8(v);
  }
  bytesWithLength(b: Uint8Array): void {
    this.varint(b.length);
    this.append(b);
  }
  append(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

class ByteReader {
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array, public pos = 0) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get length(): number {
    return this.buf.length;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error("corrupt artifact: unexpected end of data");
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
    throw new Error("corrupt artifact: varint too long");
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}
