// Helpers shared by the container sources: parse a header with its generated
// Kaitai parser into a field tree (file byte ranges), read its integers exactly,
// read table entries, and errors that name the file.
import { findField, parseStruct, readU64be } from '../structure';
import type { Field, StructNode } from '../structure';
import type { KaitaiConstructor } from '../kaitaiTypes';
import type { ByteSource } from './byteSource';
import { NotADiskImageError } from '../errors';
import { msg } from '../../shared/l10n';

// The byte-order readers are structure.ts's; the container sources take them from here with the rest.
export { readU64be, readU64le } from '../structure';

/** A container whose tables are damaged or hostile: one clear line, never a write. */
export class ContainerError extends NotADiskImageError {}

/** Parses `bytes` (read at file `offset`) into a field tree; 8-byte integers of big-endian formats decoded as such. */
export function parseContainerStruct(
  name: string,
  parser: KaitaiConstructor,
  bytes: Uint8Array,
  offset: number,
  options: { bigEndian?: boolean; params?: number[] } = {},
): StructNode {
  let node: StructNode;
  try {
    node = parseStruct(name, parser, bytes, offset, options.params ?? []);
  } catch (error) {
    throw new ContainerError(msg('{0} is truncated or malformed ({1})', name, error instanceof Error ? error.message : String(error)));
  }
  if (options.bigEndian) fixBigEndian(node.fields);
  return node;
}

function fixBigEndian(fields: Field[]): void {
  for (const field of fields) {
    if (field.children) fixBigEndian(field.children);
    else if (typeof field.value === 'bigint' && field.length === 8) field.value = readU64be(field.raw);
  }
}

function field(node: StructNode, path: string): Field {
  const hit = findField(node.fields, path);
  if (!hit) throw new ContainerError(msg('{0} has no field {1}', node.name, path));
  return hit;
}

/** An integer field as a bigint (exact). */
export function bigField(node: StructNode, path: string): bigint {
  const value = field(node, path).value;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  throw new ContainerError(msg('{0}.{1} is not an integer', node.name, path));
}

/** An integer field as a number; a value above 2^53 is an error naming the field. */
export function numField(node: StructNode, path: string): number {
  const value = bigField(node, path);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ContainerError(msg('{0}.{1} is {2}, beyond what diskx can address', node.name, path, value));
  return Number(value);
}

/** The raw bytes of a field. */
export function bytesField(node: StructNode, path: string): Uint8Array {
  return field(node, path).raw;
}

/** True when the field exists (conditional fields of older versions may not). */
export function hasField(node: StructNode, path: string): boolean {
  return findField(node.fields, path) !== undefined;
}

/** Reads `length` bytes at `offset` of a container file, or a ContainerError saying which table points past the end. */
export async function readTable(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || offset + length > source.size) {
    throw new ContainerError(msg('{0} at file offset {1} (+{2}) lies past the end of the file ({3} bytes)', what, offset, length, source.size));
  }
  return source.read(offset, length);
}

/** Printable ASCII of a byte string (NULs, controls and non-ASCII bytes dropped). */
export function asciiText(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) if (b >= 0x20 && b < 0x7f) text += String.fromCharCode(b);
  return text;
}
