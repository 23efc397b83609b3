// The parse worker (dist/spec-worker.js): runs the JavaScript that the Kaitai compiler
// generated from a user's spec over a copy of the window's bytes, in a VM context that has
// no require, no process and no eval, inside a worker thread whose heap is capped and
// which its parent terminates after the time limit. Answers expand requests (lazy
// instances) until terminated.
import { parentPort, workerData } from 'node:worker_threads';
import vm from 'node:vm';
import zlib from 'node:zlib';
import KaitaiStream from 'kaitai-struct/KaitaiStream';
import { describeParseError, failingField, FieldWalker, isParsedObject, type ParsedObject } from './fieldWalker';
import type { SpecField, SpecParseResult, SpecTypeTable } from './specTypes';

/** What the parent hands the worker. */
export interface SpecWorkerInput {
  files: Record<string, string>;
  mainClass: string;
  id: string;
  types: SpecTypeTable;
  window: ArrayBuffer;
  at: number;
  /** Why the window ends where it does, for messages. */
  windowEnd: 'limit' | 'image';
  evaluateInstances: boolean;
  maxFields: number;
}

export type SpecWorkerRequest = { type: 'expand'; id: number; path: string };
export type SpecWorkerReply = { type: 'result'; result: SpecParseResult } | { type: 'expanded'; id: number; field?: SpecField; error?: string };

const input = workerData as SpecWorkerInput;
const port = parentPort!;

// Decompression (`process: zlib`) may not grow past the window's size.
const runtime = KaitaiStream as unknown as { zlib?: unknown; iconvlite?: unknown };
runtime.zlib = { inflateSync: (buffer: Buffer) => zlib.inflateSync(buffer, { maxOutputLength: input.window.byteLength }) };
runtime.iconvlite = {
  decode: () => {
    throw new Error('this string encoding is not supported');
  },
};

// The runtime truncates lengths to 32 bits (`length |= 0`: a 2 TiB `size:` reads 0 bytes)
// and clamps seeks to the stream's end; both must be errors here instead.
interface StreamInternals {
  pos: number;
  size: number;
  seek: (this: StreamInternals, pos: number) => void;
  mapUint8Array: (this: StreamInternals, length: number) => Uint8Array;
}
const streamPrototype = (KaitaiStream as unknown as { prototype: StreamInternals }).prototype;
const EOFError = (KaitaiStream as unknown as { EOFError: new (needed: number, available: number) => Error }).EOFError;
const mapUint8Array = streamPrototype.mapUint8Array;
streamPrototype.mapUint8Array = function (this: StreamInternals, length: number) {
  if (!Number.isSafeInteger(length) || length < 0 || length > this.size - this.pos) throw new EOFError(length, this.size - this.pos);
  return mapUint8Array.call(this, length);
};
const seek = streamPrototype.seek;
streamPrototype.seek = function (this: StreamInternals, pos: number) {
  if (!Number.isSafeInteger(pos) || pos < 0 || pos > this.size) {
    const error = new Error(
      `pos ${typeof pos === 'number' && Number.isFinite(pos) ? `0x${pos.toString(16)}` : String(pos)} is outside its stream (${this.size} bytes)`,
    );
    error.name = 'SeekError';
    throw error;
  }
  seek.call(this, pos);
};

const context = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
const modules = new Map<string, Record<string, unknown>>();

function load(file: string): Record<string, unknown> {
  const cached = modules.get(file);
  if (cached) return cached;
  const code = input.files[file];
  if (code === undefined) throw new Error(`generated module ${file} is missing`);
  const exports: Record<string, unknown> = {};
  modules.set(file, exports);
  const wrapper = vm.runInContext(`(function (exports, require, module) {\n${code}\n})`, context, { filename: file }) as (
    e: unknown,
    r: (name: string) => unknown,
    m: unknown,
  ) => void;
  wrapper(exports, requireGenerated, { exports });
  return exports;
}

function requireGenerated(name: string): unknown {
  if (name === 'kaitai-struct/KaitaiStream') return KaitaiStream;
  if (name.startsWith('./')) return load(`${name.slice(2)}.js`);
  throw new Error(`generated code may not load ${name}`);
}

/** Follows `Foo.Bar.Baz` from the module exports of `Foo.js`. */
function resolveClassPath(classPath: string): Record<string, unknown> | undefined {
  const [top, ...rest] = classPath.split('.');
  let value = (load(`${top}.js`) as Record<string, unknown>)[top!] as Record<string, unknown> | undefined;
  for (const part of rest) value = value?.[part] as Record<string, unknown> | undefined;
  return value;
}

const infoByClass = new Map<unknown, SpecTypeTable[string]>();
for (const [classPath, info] of Object.entries(input.types)) {
  try {
    const constructor = resolveClassPath(classPath);
    if (constructor) infoByClass.set(constructor, info);
  } catch {
    // An import that did not generate a module: its fields keep their camelCase names.
  }
}

const walker = new FieldWalker({
  window: input.window,
  at: input.at,
  typeOf: (constructor) => infoByClass.get(constructor),
  enumName: (table, value) => {
    const lastDot = table.lastIndexOf('.');
    const entries = resolveClassPath(table.slice(0, lastDot))?.[table.slice(lastDot + 1)] as Record<string, unknown> | undefined;
    const name = entries?.[String(value)];
    return typeof name === 'string' ? name.toLowerCase() : undefined;
  },
  evaluateInstances: input.evaluateInstances,
  maxFields: input.maxFields,
  explainInstance,
});

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

const runsOffWindow = (error: unknown, io: ParsedObject['_io']): boolean => {
  const name = (error as { name?: unknown } | null)?.name;
  return (name === 'EOFError' || name === 'SeekError') && io._buffer === input.window && io.byteOffset + io.size === input.window.byteLength;
};

function windowEnd(): string {
  const end = input.at + input.window.byteLength;
  return input.windowEnd === 'image'
    ? `the image ends at ${hex(end)}`
    : `the spec's window ends at ${hex(end)} (${input.window.byteLength / (1024 * 1024)} MiB from where it is applied)`;
}

/** Says what a failed parse was reading, and whether it ran off the window. */
function explain(error: unknown, root: ParsedObject | undefined): string {
  const what = describeParseError(error);
  const errorName = (error as { name?: unknown } | null)?.name;
  const validation = typeof errorName === 'string' && errorName.startsWith('Validation');
  const failing = root ? failingField(root, (constructor) => infoByClass.get(constructor), validation) : undefined;
  if (!failing) return what;
  const io = failing.owner._io;
  const offset = input.at + (failing.range.ioOffset ?? io.byteOffset) + failing.range.start;
  if (runsOffWindow(error, io)) return `${failing.path} at ${hex(offset)} reads past the window: ${what}; ${windowEnd()}`;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'EOFError' || name === 'SeekError') return `${failing.path} at ${hex(offset)} reads past the end of its enclosing sized field: ${what}`;
  return `${failing.path} at ${hex(offset)}: ${what}`;
}

/** An instance that could not be read (its tree node shows this). */
function explainInstance(error: unknown, owner: ParsedObject): string {
  const what = describeParseError(error);
  return runsOffWindow(error, owner._io) ? `reads past the window: ${what}; ${windowEnd()}` : what;
}

let result: SpecParseResult;
let root: ParsedObject | undefined;
try {
  const constructor = resolveClassPath(input.mainClass) as unknown as new (io: unknown, parent: unknown, root: unknown) => ParsedObject;
  if (typeof constructor !== 'function') throw new Error(`the generated code has no class ${input.mainClass}`);
  root = new constructor(new KaitaiStream(input.window), null, null);
  let error: string | undefined;
  try {
    root._read();
  } catch (thrown) {
    error = explain(thrown, root);
  }
  const fields = isParsedObject(root) ? walker.fieldsOf(root, '') : [];
  result = {
    id: input.id,
    at: input.at,
    windowBytes: input.window.byteLength,
    length: root._io.pos,
    fields,
    ...(error ? { error } : {}),
    ...(walker.truncated ? { truncated: true } : {}),
  };
} catch (thrown) {
  result = { id: input.id, at: input.at, windowBytes: input.window.byteLength, length: 0, fields: [], error: explain(thrown, root) };
}
port.postMessage({ type: 'result', result } satisfies SpecWorkerReply);

port.on('message', (request: SpecWorkerRequest) => {
  if (request.type !== 'expand') return;
  const cut = request.path.lastIndexOf('.');
  try {
    const field = walker.expand(cut < 0 ? '' : request.path.slice(0, cut), request.path.slice(cut + 1));
    port.postMessage({ type: 'expanded', id: request.id, field } satisfies SpecWorkerReply);
  } catch (error) {
    port.postMessage({ type: 'expanded', id: request.id, error: describeParseError(error) } satisfies SpecWorkerReply);
  }
});
