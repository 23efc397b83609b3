// The writer parses the image under its lock before every save and undo (its
// partition guard and the journal's identity come from that parse). Saving one
// typed byte after another, the editor would parse the same structures each
// time. The parser is a function of the bytes it reads (and of the image size,
// the sector size asked for and what the source reports; no clock, no
// randomness, no file system calls of its own), so a parse is remembered with
// every byte it read, and it stands again exactly when a fresh read of those
// bytes gives them back unchanged: the parser would then make the same reads in
// the same order and build the same model. Anything else parses anew.
//
// Bounded: PARSE_MEMO_ENTRIES parses, each kept only when the bytes it read
// total at most PARSE_MEMO_MAX_BYTES. A remembered model is shared: callers
// read it and never change it.
import path from 'node:path';
import type { ByteSource } from '../io/byteSource';
import type { ByteSpan } from '../io/dataRanges';
import type { OpenImageOptions } from '../io/openImage';
import type { DiskModel } from '../model';
import { PARSE_MEMO_ENTRIES, PARSE_MEMO_MAX_BYTES } from '../limits';

/** What one parse read, piece by piece, as it was read. */
export interface ReadLog {
  /** Every range asked for, before the read (a read that fails counts too). */
  spans: ByteSpan[];
  /** The bytes each read returned, in order; null once a read failed or the total passed the memo's bound. */
  pieces: { offset: number; bytes: Uint8Array }[] | null;
  total: number;
}

interface Memo {
  key: string;
  size: number;
  reportedSectorSize: number | undefined;
  readOnlyHint: boolean | undefined;
  /** Merged ranges and the bytes they held when the model was parsed. */
  runs: { offset: number; bytes: Uint8Array }[];
  model: DiskModel;
  reads: ByteSpan[];
}

/** Most recently used last. */
const memos: Memo[] = [];

/** Which parse a memo stands for: the image, the sector size asked for, how it was opened. */
export function memoKey(image: string, sectorSize: number, open: OpenImageOptions | undefined): string {
  return JSON.stringify([path.resolve(image), sectorSize, open?.allowOutsideExtents === true]);
}

/** `source` with every read noted in `log`. */
export function loggingReads(source: ByteSource, log: ReadLog): ByteSource {
  return {
    name: source.name,
    size: source.size,
    ...(source.reportedSectorSize !== undefined ? { reportedSectorSize: source.reportedSectorSize } : {}),
    ...(source.readOnlyHint !== undefined ? { readOnlyHint: source.readOnlyHint } : {}),
    async read(offset: number, length: number): Promise<Uint8Array> {
      log.spans.push({ offset, length });
      try {
        const bytes = await source.read(offset, length);
        log.total += bytes.length;
        if (log.pieces && log.total <= PARSE_MEMO_MAX_BYTES) log.pieces.push({ offset, bytes: bytes.slice() });
        else log.pieces = null;
        return bytes;
      } catch (error) {
        log.pieces = null;
        throw error;
      }
    },
    close: () => source.close(),
  };
}

/** Remembers `model` as the parse of `key` over `source`, from what `log` saw (nothing when it cannot be checked later). */
export function remember(key: string, source: ByteSource, log: ReadLog, model: DiskModel): void {
  forget(key);
  if (!log.pieces) return;
  const runs = mergePieces(log.pieces);
  if (!runs) return;
  memos.push({
    key,
    size: source.size,
    reportedSectorSize: source.reportedSectorSize,
    readOnlyHint: source.readOnlyHint,
    runs,
    model,
    reads: log.spans,
  });
  while (memos.length > PARSE_MEMO_ENTRIES) memos.shift();
}

/** The remembered parse of `key` when every byte it read still reads the same from `source`, else null. */
export async function recall(key: string, source: ByteSource): Promise<{ model: DiskModel; reads: ByteSpan[] } | null> {
  const index = memos.findIndex((m) => m.key === key);
  if (index < 0) return null;
  const memo = memos[index]!;
  const same =
    memo.size === source.size &&
    memo.reportedSectorSize === source.reportedSectorSize &&
    memo.readOnlyHint === source.readOnlyHint &&
    (await Promise.all(memo.runs.map(async (run) => equalBytes(await source.read(run.offset, run.bytes.length), run.bytes)))).every(Boolean);
  if (!same) {
    forget(key);
    return null;
  }
  memos.splice(index, 1);
  memos.push(memo);
  return { model: memo.model, reads: memo.reads };
}

/** Drops what is remembered for `key` (or everything). */
export function forget(key?: string): void {
  for (let i = memos.length - 1; i >= 0; i--) if (key === undefined || memos[i]!.key === key) memos.splice(i, 1);
}

/** The pieces as merged runs; null when two reads of the same byte disagree (the file changed during the parse). */
function mergePieces(pieces: readonly { offset: number; bytes: Uint8Array }[]): { offset: number; bytes: Uint8Array }[] | null {
  const sorted = [...pieces].filter((p) => p.bytes.length > 0).sort((a, b) => a.offset - b.offset);
  const runs: { offset: number; parts: { offset: number; bytes: Uint8Array }[]; end: number }[] = [];
  for (const piece of sorted) {
    const last = runs[runs.length - 1];
    if (last && piece.offset <= last.end) {
      last.parts.push(piece);
      last.end = Math.max(last.end, piece.offset + piece.bytes.length);
    } else runs.push({ offset: piece.offset, parts: [piece], end: piece.offset + piece.bytes.length });
  }
  const out: { offset: number; bytes: Uint8Array }[] = [];
  for (const run of runs) {
    const bytes = new Uint8Array(run.end - run.offset);
    const seen = new Uint8Array(bytes.length);
    for (const part of run.parts) {
      const at = part.offset - run.offset;
      for (let i = 0; i < part.bytes.length; i++) {
        if (seen[at + i] && bytes[at + i] !== part.bytes[i]) return null;
        bytes[at + i] = part.bytes[i]!;
        seen[at + i] = 1;
      }
    }
    out.push({ offset: run.offset, bytes });
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
