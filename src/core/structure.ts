// Turns a Kaitai object parsed in debug mode into our field tree: every field
// with its absolute byte offset and length, its raw bytes and its decoded value.
import KaitaiStream from 'kaitai-struct/KaitaiStream';
import type { KaitaiConstructor, KaitaiDebugRange, KaitaiObject } from './kaitaiTypes';

/** Decoded value of a leaf field. 8-byte integers are BigInt (exact above 2^53). */
export type FieldValue = number | bigint | string | null;

/** One field (or array element, or nested structure) with its absolute byte range. */
export interface Field {
  /** Name in the .ksy, camelCased (`partitionEntryLba`), or the array index. */
  name: string;
  /** Dotted path from the structure root (`entries.3.firstLba`). */
  path: string;
  /** Absolute byte offset in the image. */
  offset: number;
  length: number;
  /** The bytes as read. */
  raw: Uint8Array;
  /** Decoded value for integers; null for byte strings and structures. */
  value: FieldValue;
  /** Sub-fields of a nested type or array. */
  children?: Field[];
}

/** A parsed structure (header, array, MBR) and its fields. */
export interface StructNode {
  name: string;
  offset: number;
  length: number;
  fields: Field[];
  /** The file it was read from, when that is not the image's first file (a split VMDK's extents). */
  file?: string;
}

/** Parses `bytes` (read at absolute `offset`) with a generated parser and returns the field tree. */
export function parseStruct(name: string, parser: KaitaiConstructor, bytes: Uint8Array, offset: number, params: number[]): StructNode {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const io = new KaitaiStream(buffer);
  const object = new parser(io, null, null, ...params);
  object._read();
  return { name, offset, length: bytes.length, fields: walk(object, bytes, offset, 0, '') };
}

function isKaitaiObject(value: unknown): value is KaitaiObject {
  return typeof value === 'object' && value !== null && '_debug' in value && '_io' in value;
}

// `windowBase` is the absolute offset of byte 0 of `window`; `ioBase` is the
// offset within `window` where this object's stream starts (substreams of
// `size:` fields start at 0 of their own buffer).
function walk(object: KaitaiObject, window: Uint8Array, windowBase: number, ioBase: number, prefix: string): Field[] {
  const fields: Field[] = [];
  for (const [name, range] of Object.entries(object._debug)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const value = object[name];
    fields.push(makeField(name, path, value, range, object, window, windowBase, ioBase));
  }
  return fields;
}

function makeField(
  name: string,
  path: string,
  value: unknown,
  range: KaitaiDebugRange,
  owner: KaitaiObject,
  window: Uint8Array,
  windowBase: number,
  ioBase: number,
): Field {
  const start = ioBase + range.start;
  const end = ioBase + range.end;
  const raw = window.subarray(start, end);
  const field: Field = { name, path, offset: windowBase + start, length: end - start, raw, value: null };
  if (Array.isArray(value)) {
    field.children = value.map((element: unknown, index) => {
      const elementRange = range.arr?.[index] ?? range;
      return makeField(String(index), `${path}.${index}`, element, elementRange, owner, window, windowBase, ioBase);
    });
  } else if (isKaitaiObject(value)) {
    // A child read from its own substream (a `size:` field) counts from its own start.
    const childBase = value._io === owner._io ? ioBase : start;
    field.children = walk(value, window, windowBase, childBase, path);
  } else if (typeof value === 'number') {
    field.value = field.length === 8 ? exactU64(raw, value) : value;
  }
  return field;
}

// Kaitai returns 8-byte integers as (possibly rounded) numbers; the exact value
// is read again from the bytes, in whichever byte order reproduces the parser's
// number (big-endian specs such as XFS's superblock exist beside little-endian ones).
function exactU64(raw: Uint8Array, parsed: number): bigint {
  const little = readU64le(raw);
  if (Number(little) === parsed) return little;
  const big = readU64be(raw);
  return Number(big) === parsed ? big : little;
}

/** Exact big-endian unsigned 64-bit value. */
export function readU64be(bytes: Uint8Array, at = 0): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/** Exact little-endian unsigned 64-bit value (Kaitai's readU8le rounds above 2^53). */
export function readU64le(bytes: Uint8Array, at = 0): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/** Finds a field by path (`partitionEntryLba`, `entries.3.name`). */
export function findField(fields: Field[], path: string): Field | undefined {
  for (const field of fields) {
    if (field.path === path) return field;
    if (field.children && path.startsWith(field.path + '.')) {
      const hit = findField(field.children, path);
      if (hit) return hit;
    }
  }
  return undefined;
}
