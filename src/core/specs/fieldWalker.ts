// Turns objects that generated (debug mode) Kaitai code parsed into SpecFields: absolute
// byte ranges, the spec's names and docs, exact 64-bit integers, enum names. Runs in the
// parse worker, next to the generated code.
import { MAX_SPEC_BYTES_SHOWN } from '../limits';
import { lowerCamel } from './kaitaiNames';
import type { SpecAttrInfo, SpecField, SpecFieldEncoding, SpecTypeInfo } from './specTypes';

/** A debug-mode range: positions in the stream `_io`, whose bytes start at `ioOffset` of its buffer. */
export interface DebugRange {
  start: number;
  end?: number;
  ioOffset?: number;
  enumName?: string;
  arr?: DebugRange[];
}

/** What generated debug-mode objects look like to us. */
export interface ParsedObject {
  _io: { _buffer?: ArrayBuffer; pos: number; size: number; byteOffset: number; _is_le?: boolean };
  _debug: Record<string, DebugRange>;
  _is_le?: boolean;
  _read(): void;
  constructor: unknown;
  [key: string]: unknown;
}

export const isParsedObject = (value: unknown): value is ParsedObject => typeof value === 'object' && value !== null && '_debug' in value && '_io' in value;

/** Where a field's bytes are, when its stream is not the window (a processed `size:` field). */
interface Span {
  offset: number;
  length: number;
}

export interface WalkerSetup {
  window: ArrayBuffer;
  /** Absolute offset of the window's first byte. */
  at: number;
  /** Generated class -> its spec info. */
  typeOf: (constructor: unknown) => SpecTypeInfo | undefined;
  /** `Foo.Kinds`, 3 -> `kinds` entry name, if any. */
  enumName: (table: string, value: unknown) => string | undefined;
  /** Evaluate instances while walking (the CLI) or leave them for `expand` (the editor). */
  evaluateInstances: boolean;
  maxFields: number;
  /** One line for an error an instance's getter threw. */
  explainInstance?: (error: unknown, owner: ParsedObject) => string;
}

/** Walks parsed objects into fields, counting them against a limit. */
export class FieldWalker {
  private count = 0;
  truncated = false;
  /** Path of every structure seen -> its object, for lazily evaluated instances. */
  readonly objects = new Map<string, ParsedObject>();
  private readonly outerOf = new WeakMap<ParsedObject, Span>();
  private readonly bytes: Uint8Array;

  constructor(private readonly setup: WalkerSetup) {
    this.bytes = new Uint8Array(setup.window);
  }

  /** Starts a fresh field budget (each expand request gets its own). */
  resetBudget(): void {
    this.count = 0;
    this.truncated = false;
  }

  /** The fields of a structure: its seq in order, then its instances. */
  fieldsOf(object: ParsedObject, prefix: string, outer?: Span): SpecField[] {
    this.objects.set(prefix, object);
    if (outer) this.outerOf.set(object, outer);
    const info = this.setup.typeOf(object.constructor);
    const fields: SpecField[] = [];
    for (const [key, range] of Object.entries(object._debug)) {
      if (key.startsWith('_m_')) continue;
      if (!this.take()) break;
      fields.push(this.field(object, key, info?.attrs[key], object[key], range, prefix, outer));
    }
    for (const key of info?.instances ?? []) {
      if (!this.take()) break;
      fields.push(this.instance(object, key, info!.attrs[key], prefix, outer));
    }
    return fields;
  }

  /** Evaluates instance `key` of `object` (a getter that may read anywhere in the window). */
  instance(object: ParsedObject, key: string, attr: SpecAttrInfo | undefined, prefix: string, outer?: Span, force = false): SpecField {
    const name = attr?.id ?? key;
    const path = prefix ? `${prefix}.${name}` : name;
    const evaluated = object[`_m_${key}`] !== undefined;
    if (!force && !this.setup.evaluateInstances && !evaluated) {
      const here = this.span(object, { start: object._io.pos }, outer);
      return { name, path, offset: here.offset, length: 0, instance: true, lazy: true, ...(attr?.doc ? { doc: attr.doc } : {}) };
    }
    let value: unknown;
    try {
      value = object[key];
    } catch (error) {
      const range = object._debug[`_m_${key}`];
      const here = this.span(object, range ?? { start: 0, end: 0 }, outer);
      return {
        name,
        path,
        offset: here.offset,
        length: 0,
        instance: true,
        error: this.setup.explainInstance?.(error, object) ?? describeParseError(error),
        ...(attr?.doc ? { doc: attr.doc } : {}),
      };
    }
    const range = object._debug[`_m_${key}`];
    // A `value:` instance records an empty range: it reads nothing.
    const field =
      typeof range?.start === 'number'
        ? this.field(object, key, attr, value, range, prefix, outer)
        : { ...this.field(object, key, attr, value, { start: 0, end: 0 }, prefix, outer), ...this.valueSpan(object, outer) };
    field.instance = true;
    return field;
  }

  /** Instance `name` of the structure at `parentPath`, evaluated now. */
  expand(parentPath: string, name: string): SpecField {
    const object = this.objects.get(parentPath);
    if (!object) throw new Error(`no structure at '${parentPath}'`);
    const info = this.setup.typeOf(object.constructor);
    const key = lowerCamel(name);
    if (!info?.instances.includes(key)) throw new Error(`'${parentPath ? parentPath + '.' : ''}${name}' is not an instance`);
    this.resetBudget();
    return this.instance(object, key, info.attrs[key], parentPath, this.outerOf.get(object), true);
  }

  private take(): boolean {
    if (this.count >= this.setup.maxFields) {
      this.truncated = true;
      return false;
    }
    this.count++;
    return true;
  }

  // A `value:` instance reads nothing: it is shown over its structure's start, zero bytes long.
  private valueSpan(object: ParsedObject, outer?: Span): Span {
    return { offset: this.span(object, { start: 0 }, outer).offset, length: 0 };
  }

  private span(object: ParsedObject, range: DebugRange, outer?: Span): Span {
    const end = range.end ?? range.start;
    if (object._io._buffer === this.setup.window && !outer) {
      return { offset: this.setup.at + (range.ioOffset ?? object._io.byteOffset) + range.start, length: Math.max(0, end - range.start) };
    }
    // Bytes that were decompressed or otherwise processed: only the outer field's range is known.
    return outer ?? { offset: this.setup.at, length: 0 };
  }

  private field(owner: ParsedObject, key: string, attr: SpecAttrInfo | undefined, value: unknown, range: DebugRange, prefix: string, outer?: Span): SpecField {
    const name = attr?.id ?? key;
    const path = prefix ? `${prefix}.${name}` : name;
    // A field whose read failed has no end: what it had read so far (a sized field: all of its bytes).
    const raw = owner[`_raw_${key}`];
    const ended =
      range.end !== undefined ? range : { ...range, end: ArrayBuffer.isView(raw) ? range.start + raw.byteLength : Math.max(range.start, owner._io.pos) };
    const here = this.span(owner, ended, outer);
    const field: SpecField = { name, path, offset: here.offset, length: here.length };
    if (attr?.doc) field.doc = attr.doc;
    this.describe(field, owner, attr, value, range, outer);
    return field;
  }

  private describe(field: SpecField, owner: ParsedObject, attr: SpecAttrInfo | undefined, value: unknown, range: DebugRange, outer?: Span): void {
    if (Array.isArray(value)) {
      const children: SpecField[] = [];
      for (let index = 0; index < value.length; index++) {
        if (!this.take()) {
          field.omitted = value.length - index;
          break;
        }
        const elementRange = range.arr?.[index] ?? { start: range.start, end: range.start, ioOffset: range.ioOffset };
        const here = this.span(owner, elementRange, outer);
        const element: SpecField = { name: String(index), path: `${field.path}.${index}`, offset: here.offset, length: here.length };
        this.describe(element, owner, attr, value[index], { ...elementRange, enumName: range.enumName }, outer);
        children.push(element);
      }
      field.children = children;
    } else if (isParsedObject(value)) {
      const own = value._io._buffer === this.setup.window && !outer ? undefined : { offset: field.offset, length: field.length };
      field.children = this.fieldsOf(value, field.path, own);
    } else if (typeof value === 'number') {
      field.value = this.number(owner, attr, value, field);
      if (attr?.int && field.length === attr.int.bytes) {
        const le = attr.int.le ?? owner._is_le;
        if (le !== undefined) this.editable(field, owner, outer, { kind: 'int', bytes: attr.int.bytes, signed: attr.int.signed, le });
      }
      if (range.enumName) {
        const name = this.setup.enumName(range.enumName, value);
        if (name !== undefined) field.enum = name;
      }
    } else if (typeof value === 'bigint') {
      field.value = jsonInteger(value);
    } else if (typeof value === 'boolean') {
      field.value = value;
    } else if (typeof value === 'string') {
      field.value = value.length > 4096 ? value.slice(0, 4096) + '…' : value;
      const encoding = textEncoding(attr?.encoding);
      if (encoding) this.editable(field, owner, outer, { kind: 'text', encoding, terminated: attr?.terminated === true });
    } else if (ArrayBuffer.isView(value)) {
      // A processed field (`process: xor`, zlib) holds other bytes than the window's: not written back.
      if (value.buffer === this.setup.window) this.editable(field, owner, outer, { kind: 'bytes' });
      const bytes = new Uint8Array(value.buffer, value.byteOffset, Math.min(value.byteLength, MAX_SPEC_BYTES_SHOWN));
      field.bytes = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
    }
  }

  // Only bytes read straight from the window can be written back (not decompressed or xored ones).
  private editable(field: SpecField, owner: ParsedObject, outer: Span | undefined, encoding: SpecFieldEncoding): void {
    if (!outer && owner._io._buffer === this.setup.window && field.length > 0) field.edit = encoding;
  }

  // Kaitai's JavaScript runtime reads 8-byte integers as doubles (inexact above 2^53):
  // read them again from the window's bytes.
  private number(owner: ParsedObject, attr: SpecAttrInfo | undefined, value: number, field: SpecField): number | string {
    if (attr?.int64 && field.length === 8) {
      const start = field.offset - this.setup.at;
      if (start >= 0 && start + 8 <= this.bytes.length) {
        const le = attr.int64.le ?? owner._is_le ?? true;
        let exact = 0n;
        for (let i = 0; i < 8; i++) exact = (exact << 8n) | BigInt(this.bytes[start + (le ? 7 - i : i)]!);
        if (attr.int64.signed) exact = BigInt.asIntN(64, exact);
        return jsonInteger(exact);
      }
    }
    return Number.isFinite(value) ? value : String(value);
  }
}

/** The encodings whose text we write back ourselves (others are edited as bytes). */
function textEncoding(name: string | undefined): 'ascii' | 'utf8' | 'utf16le' | undefined {
  const normalized = name?.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 'ascii') return 'ascii';
  if (normalized === 'utf8') return 'utf8';
  if (normalized === 'utf16le') return 'utf16le';
  return undefined;
}

/** An integer as a JSON number while exact (at most 2^53), else as a decimal string. */
export function jsonInteger(value: bigint): number | string {
  const limit = 2n ** 53n;
  return value <= limit && value >= -limit ? Number(value) : value.toString();
}

/** One line for an error thrown by generated code or the Kaitai runtime. */
export function describeParseError(error: unknown): string {
  const named = error as { name?: unknown; message?: unknown } | null;
  const message = typeof named?.message === 'string' ? named.message : String(error);
  const name = typeof named?.name === 'string' ? named.name : '';
  if (name.startsWith('Validation')) return `validation failed: ${message}`;
  if (name === 'RangeError' && /call stack/i.test(message)) return 'the spec recurses too deeply';
  return message;
}

/**
 * The field being read when a parse stopped: the deepest debug range that has no end.
 * With `orLast` (a failed validation, thrown just after its field was read), the last
 * field read where no range is open.
 */
export function failingField(
  object: ParsedObject,
  typeOf: WalkerSetup['typeOf'],
  orLast = false,
  prefix = '',
): { path: string; owner: ParsedObject; range: DebugRange } | undefined {
  const info = typeOf(object.constructor);
  let last: { path: string; owner: ParsedObject; range: DebugRange } | undefined;
  for (const [key, range] of Object.entries(object._debug)) {
    if (typeof range.start !== 'number') continue;
    const instance = key.startsWith('_m_');
    const camel = instance ? key.slice(3) : key;
    const name = info?.attrs[camel]?.id ?? camel;
    const path = prefix ? `${prefix}.${name}` : name;
    if (range.end !== undefined) {
      if (!instance) last = { path, owner: object, range };
      continue;
    }
    const value = object[instance ? key : camel];
    if (Array.isArray(value) && range.arr?.length) {
      const index = range.arr.length - 1;
      const element = value[index] as unknown;
      const here = { path: `${path}.${index}`, owner: object, range: range.arr[index]! };
      return (isParsedObject(element) ? failingField(element, typeOf, orLast, here.path) : undefined) ?? here;
    }
    return (isParsedObject(value) ? failingField(value, typeOf, orLast, path) : undefined) ?? { path, owner: object, range };
  }
  return orLast ? last : undefined;
}
