// Types shared by the spec compiler, the parse worker and their callers.
import { DiskxError } from '../errors';

/** One field of a structure parsed with a user's spec, with its absolute byte range. */
export interface SpecField {
  /** The id in the .ksy (`magic`), or the array index. */
  name: string;
  /** Dotted path from the spec's root (`header.entries.3.lba`). */
  path: string;
  /** Absolute offset in the image. */
  offset: number;
  length: number;
  /** Integers (decimal strings above 2^53), strings, booleans, floats. */
  value?: number | string | boolean;
  /** The enum's name for `value`, when the spec gives it one. */
  enum?: string;
  /** The spec's `doc` for this field. */
  doc?: string;
  /** Leading bytes of a byte array, as hex (at most MAX_SPEC_BYTES_SHOWN). */
  bytes?: string;
  /** An instance (`pos:` or `value:`), not a `seq` field. */
  instance?: true;
  /** An instance not evaluated yet: ask for it with `expand(path)`. */
  lazy?: true;
  /** Why this field (or an instance) could not be read. */
  error?: string;
  /** Array elements left out past the field limit. */
  omitted?: number;
  /** How a new value becomes this field's bytes (set only for fields read straight from the window). */
  edit?: SpecFieldEncoding;
  children?: SpecField[];
}

/** What the parse of one spec at one place produced. */
export interface SpecParseResult {
  /** The spec's `meta.id`. */
  id: string;
  /** Absolute offset the spec was applied at. */
  at: number;
  /** Bytes the spec could read (the window: SPEC_WINDOW_BYTES or up to the image's end). */
  windowBytes: number;
  /** Bytes the root structure's seq consumed. */
  length: number;
  fields: SpecField[];
  /** Set when parsing stopped early; `fields` holds what was read until then. */
  error?: string;
  /** The field limit was reached and some fields were left out. */
  truncated?: boolean;
}

/** Where in a .ksy something is wrong (1-based line and column). */
export interface SpecLocation {
  file: string;
  line: number;
  column: number;
}

/** A spec that cannot be loaded or compiled: YAML syntax, an unknown type, a bad expression. */
export class SpecCompileError extends DiskxError {
  constructor(
    readonly problem: string,
    readonly location?: SpecLocation,
  ) {
    super(location ? `${location.file}:${location.line}:${location.column}: ${problem}` : problem);
  }
}

/** A parse that failed or was stopped (the time or memory limit, a read past the window). */
export class SpecParseError extends DiskxError {}

/** Per generated class: the spec's names and docs for its camelCased properties. */
export interface SpecTypeInfo {
  doc?: string;
  /** camelCase property -> the spec's id, doc and, for 8-byte integers, how to read them exactly. */
  attrs: Record<string, SpecAttrInfo>;
  /** camelCase instance names in spec order. */
  instances: string[];
}

export interface SpecAttrInfo {
  id: string;
  doc?: string;
  /** 8-byte integer: signed or not, and its byte order when fixed (undefined: the object's `_is_le`). */
  int64?: { signed: boolean; le?: boolean };
  /** Any integer type (u1..s8), for editing: width, sign, byte order when fixed. */
  int?: { bytes: 1 | 2 | 4 | 8; signed: boolean; le?: boolean };
  /** A `str`/`strz` field's encoding (its own or meta's). */
  encoding?: string;
  /** `strz`: the string ends at a terminator inside the field. */
  terminated?: boolean;
}

/** How a field's value is written back: an integer, text in an encoding, or raw bytes. */
export type SpecFieldEncoding =
  | { kind: 'int'; bytes: 1 | 2 | 4 | 8; signed: boolean; le: boolean }
  | { kind: 'text'; encoding: 'ascii' | 'utf8' | 'utf16le'; terminated: boolean }
  | { kind: 'bytes' };

/** Class path (`Foo`, `Foo.Bar`) -> what the spec says about it. */
export type SpecTypeTable = Record<string, SpecTypeInfo>;
