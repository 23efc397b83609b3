// Small accessors over a parsed structure's field tree, for the probes.
import type { KaitaiConstructor } from '../kaitaiTypes';
import type { Field, StructNode } from '../structure';
import { findField, parseStruct } from '../structure';

/** Typed views of one parsed structure's fields, by dotted path. */
export interface FieldReader {
  node: StructNode;
  /** A number field (8-byte ones converted; use big() when they may exceed 2^53). */
  num(path: string): number;
  big(path: string): bigint;
  raw(path: string): Uint8Array;
  field(path: string): Field | undefined;
}

/**
 * Parses `bytes` (read at absolute `offset`) with a generated parser; null when
 * the window is too short or inconsistent for the spec (a probe then says "not this format").
 */
export function parseFields(name: string, parser: KaitaiConstructor, bytes: Uint8Array, offset: number, params: number[] = []): FieldReader | null {
  let node: StructNode;
  try {
    node = parseStruct(name, parser, bytes, offset, params);
  } catch {
    return null;
  }
  const get = (path: string): Field => {
    const field = findField(node.fields, path);
    if (!field) throw new RangeError(`no field ${path} in ${name}`);
    return field;
  };
  return {
    node,
    num: (path) => Number(get(path).value ?? 0),
    big: (path) => {
      const value = get(path).value;
      return typeof value === 'bigint' ? value : BigInt(Number(value ?? 0));
    },
    raw: (path) => get(path).raw,
    field: (path) => findField(node.fields, path),
  };
}
