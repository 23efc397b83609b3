// Types for the parsers that esbuild.mjs generates from formats/*.ksy in debug mode.
// The generated code is plain JavaScript; these describe just what we use of it.
import type KaitaiStream from 'kaitai-struct/KaitaiStream';

/** Byte range of one field, relative to the stream (`_io`) of the object that read it. */
export interface KaitaiDebugRange {
  start: number;
  end: number;
  arr?: KaitaiDebugRange[];
}

/** A parsed Kaitai object in debug mode: `_read()` fills the fields and `_debug`. */
export interface KaitaiObject {
  _io: KaitaiStream;
  _debug: Record<string, KaitaiDebugRange>;
  _read(): void;
  [field: string]: unknown;
}

/** Constructor of a generated top-level type: (io, parent, root, ...params). */
export type KaitaiConstructor = new (io: KaitaiStream, parent: unknown, root: unknown, ...params: number[]) => KaitaiObject;
