// Streaming byte diff of two images of any size in bounded memory: both sources
// are read in fixed chunks into buffers allocated once (readAhead chunks in
// flight while the previous one is compared), each chunk pair is compared with
// memcmp (Buffer.equals) and only a differing chunk is walked, first in
// 512-byte blocks (memcmp again), then byte by byte inside differing blocks.
// Memory: 2 x (readAhead + 1) x chunkSize bytes of buffers plus at most
// maxRanges ranges, whatever the image size. Regions that both images store as
// holes (when both sources can tell, see io/dataRanges.ts) read as zeros on both
// sides, so they are equal and are skipped without a read.
//
// Images of different sizes: `ranges` cover the bytes both images have, byte
// for byte the bytes `cmp -l` lists; the longer image's extra bytes are not a
// "differing range" (there is nothing to differ from) but `tail`, like cmp's
// "EOF on B" note. A tail alone makes the images different.
import type { ByteSource } from '../io/byteSource';
import { isBulkReadable } from '../io/scanSource';
import type { ByteSpan } from '../io/dataRanges';
import { mergeSpans } from '../io/dataRanges';
import { nativeDiff, nativeWanted } from './nativeDiff';
import type { NativeMappable } from './nativeDiff';

/** Default bytes read from each image per step (1 MiB: fits the CPU caches better than larger steps; bench/diff.bench.ts). */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** Default number of chunks read ahead while one is being compared (both images' reads of 4 chunks in flight). */
export const DEFAULT_READ_AHEAD = 4;
/** Default cap on the number of differing ranges reported. */
export const DEFAULT_MAX_RANGES = 10_000;
/** Largest chunk we allocate (bounds memory whatever the caller asks for). */
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;
/** Most chunks in flight. */
export const MAX_READ_AHEAD = 8;
/** Most ranges kept (each is a small object; this bounds the result's memory). */
export const MAX_RANGES_LIMIT = 1_000_000;

// Inside a differing chunk, memcmp blocks of this size before walking bytes.
const BLOCK_SIZE = 512;

/** A run of differing bytes: [offset, offset + length) in both images. */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface ByteDiffOptions {
  /** Bytes per read from each image (default DEFAULT_CHUNK_SIZE, 1 MiB; at most MAX_CHUNK_SIZE). */
  chunkSize?: number;
  /** Chunks read ahead while comparing (default DEFAULT_READ_AHEAD, 4; 1..MAX_READ_AHEAD). */
  readAhead?: number;
  /** Ranges reported before the scan stops with truncated: true (default 10,000). */
  maxRanges?: number;
  /** Called after every chunk with the bytes compared so far and the bytes to compare. */
  onProgress?: (bytesDone: number, total: number) => void;
  /** Aborting stops the scan after the current chunk; byteDiff then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Skip regions both sources store as holes (default true unless DISKX_SKIP_HOLES=0; only where both sources can tell). */
  skipHoles?: boolean;
  /** Use the native helper for two plain files when it is there (default true; DISKX_NATIVE_DIFF=0 turns it off; see nativeDiff.ts). */
  native?: boolean;
}

/** A source that can say where it holds data (everything else reads as zeros). */
export interface HoleAware {
  /** Sorted, merged spans that may hold data, or null when the source cannot tell. */
  dataRanges(): Promise<ByteSpan[] | null>;
}

function isHoleAware(source: ByteSource): source is ByteSource & HoleAware {
  return typeof (source as Partial<HoleAware>).dataRanges === 'function';
}

/** The bytes of the longer image beyond the end of the shorter one. */
export interface ByteTail {
  offset: number;
  length: number;
  /** Which image has these bytes. */
  in: 'a' | 'b';
}

export interface ByteDiffResult {
  sizeA: number;
  sizeB: number;
  /** Bytes both images have: min(sizeA, sizeB). */
  comparedBytes: number;
  /** How far the scan got: comparedBytes, or less when it stopped at the range cap. */
  scannedBytes: number;
  /** Bytes of the scanned range skipped unread because both images store them as holes. */
  skippedBytes: number;
  /** Maximal runs of differing bytes within the compared bytes, in order. */
  ranges: ByteRange[];
  /** True when more differing bytes exist than `ranges` lists (the scan stopped at maxRanges). */
  truncated: boolean;
  /** Sum of the lengths of `ranges`. */
  differingBytes: number;
  /** The longer image's extra bytes, or null when the sizes are equal. */
  tail: ByteTail | null;
  /** No differing byte and the same size. */
  identical: boolean;
}

/** Compares `a` and `b` byte for byte, streaming; see the file comment for memory and size rules. */
export async function byteDiff(a: ByteSource, b: ByteSource, options: ByteDiffOptions = {}): Promise<ByteDiffResult> {
  const chunkSize = clampInt(options.chunkSize ?? DEFAULT_CHUNK_SIZE, BLOCK_SIZE, MAX_CHUNK_SIZE, 'chunkSize');
  const readAhead = clampInt(options.readAhead ?? DEFAULT_READ_AHEAD, 1, MAX_READ_AHEAD, 'readAhead');
  const maxRanges = clampInt(options.maxRanges ?? DEFAULT_MAX_RANGES, 1, MAX_RANGES_LIMIT, 'maxRanges');
  const { signal, onProgress } = options;
  signal?.throwIfAborted();

  const total = Math.min(a.size, b.size);

  interface Job {
    offset: number;
    length: number;
    buffers: { bufA: Buffer; bufB: Buffer };
    done: Promise<void>;
  }
  // What to read: every byte, or only the spans where either image may hold data.
  // DISKX_SKIP_HOLES=0 reads holes too (to measure a full read, or to test cancelling a long scan).
  const skipHoles = options.skipHoles ?? process.env.DISKX_SKIP_HOLES !== '0';
  const spans = skipHoles ? await readSpans(a, b, total, chunkSize) : [{ offset: 0, length: total }];
  signal?.throwIfAborted();
  if (options.native !== false && spans.length > 0 && nativeWanted(a, b, total)) {
    onProgress?.(0, total);
    const native = await nativeDiff(a as ByteSource & NativeMappable, b as ByteSource & NativeMappable, {
      total,
      maxRanges,
      spans,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress: (done: number) => onProgress(done, total) } : {}),
    });
    if (native) {
      if (!native.truncated && native.done < total) onProgress?.(total, total);
      return resultOf(a, b, native.ranges, native.truncated, native.scanned, skippedBytes(spans, total, native.truncated, native.scanned));
    }
  }
  const collector = new RangeCollector(maxRanges);
  // Buffers for the chunks in flight plus the one being compared, allocated once.
  const pool: { bufA: Buffer; bufB: Buffer }[] = [];
  const slots = Math.min(readAhead + 1, Math.max(1, Math.ceil(total / chunkSize)));
  const bufferSize = Math.max(1, Math.min(chunkSize, total));
  for (let i = 0; i < slots; i++) pool.push({ bufA: Buffer.allocUnsafeSlow(bufferSize), bufB: Buffer.allocUnsafeSlow(bufferSize) });
  let skipped = 0;
  const pending: Job[] = [];
  let spanIndex = 0;
  let nextOffset = spans[0]?.offset ?? total;
  const more = (): boolean => spanIndex < spans.length;
  const start = (): void => {
    const span = spans[spanIndex]!;
    const spanEnd = span.offset + span.length;
    const buffers = pool.pop()!;
    const length = Math.min(chunkSize, spanEnd - nextOffset);
    const offset = nextOffset;
    const done = Promise.all([fill(a, offset, buffers.bufA.subarray(0, length)), fill(b, offset, buffers.bufB.subarray(0, length))]).then(() => undefined);
    done.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    pending.push({ offset, length, buffers, done });
    nextOffset += length;
    if (nextOffset >= spanEnd) {
      spanIndex++;
      nextOffset = spans[spanIndex]?.offset ?? total;
    }
  };

  let scanned = 0;
  onProgress?.(0, total);
  try {
    while (pending.length < slots && more()) start();
    while (pending.length > 0) {
      const job = pending.shift()!;
      await job.done;
      signal?.throwIfAborted();
      if (job.offset > scanned) {
        // A skipped hole on both sides: equal bytes, which end any open run.
        collector.close(scanned);
        skipped += job.offset - scanned;
      }
      compareChunk(job.buffers.bufA, job.buffers.bufB, job.length, job.offset, collector);
      pool.push(job.buffers);
      if (collector.truncated) break;
      scanned = job.offset + job.length;
      onProgress?.(scanned, total);
      if (more() && !signal?.aborted) start(); // no new reads once cancelled
    }
  } finally {
    // Never return (or close the sources) while a read still fills a buffer.
    await Promise.allSettled(pending.map((j) => j.done));
  }
  if (collector.truncated) scanned = collector.stoppedAt;
  else {
    if (scanned < total) {
      collector.close(scanned);
      skipped += total - scanned;
      scanned = total;
      onProgress?.(scanned, total);
    }
    collector.finish(total);
  }

  return resultOf(a, b, collector.ranges, collector.truncated, scanned, skipped);
}

function resultOf(a: ByteSource, b: ByteSource, ranges: ByteRange[], truncated: boolean, scanned: number, skipped: number): ByteDiffResult {
  const total = Math.min(a.size, b.size);
  const tail: ByteTail | null = a.size === b.size ? null : { offset: total, length: Math.abs(a.size - b.size), in: a.size > b.size ? 'a' : 'b' };
  return {
    sizeA: a.size,
    sizeB: b.size,
    comparedBytes: total,
    scannedBytes: scanned,
    skippedBytes: skipped,
    ranges,
    truncated,
    differingBytes: ranges.reduce((n, r) => n + r.length, 0),
    tail,
    identical: ranges.length === 0 && tail === null,
  };
}

/** The bytes outside `spans` (holes on both sides) the scan passed: all of them, or those before `scanned` when it stopped there. */
function skippedBytes(spans: ByteSpan[], total: number, truncated: boolean, scanned: number): number {
  let skipped = 0;
  let end = 0;
  for (const span of spans) {
    if (truncated && span.offset > scanned) return skipped;
    skipped += span.offset - end;
    end = span.offset + span.length;
  }
  return truncated ? skipped : skipped + total - end;
}

/** Minimum hole worth a skip: shorter gaps between data spans are read through (one read beats two). */
const MIN_SKIP = 1024 * 1024;

/**
 * The spans of [0, total) to read: everything, unless both sources can tell where
 * they hold data; then the union of their data spans, with short gaps read through.
 */
async function readSpans(a: ByteSource, b: ByteSource, total: number, chunkSize: number): Promise<ByteSpan[]> {
  const everything = [{ offset: 0, length: total }];
  if (total === 0) return [];
  if (!isHoleAware(a) || !isHoleAware(b)) return everything;
  const [dataA, dataB] = await Promise.all([a.dataRanges().catch(() => null), b.dataRanges().catch(() => null)]);
  if (!dataA || !dataB) return everything;
  const minSkip = Math.max(MIN_SKIP, chunkSize);
  const union = mergeSpans([...dataA, ...dataB].map((s) => clip(s, total)).filter((s): s is ByteSpan => s !== null));
  const spans: ByteSpan[] = [];
  for (const span of union) {
    const last = spans[spans.length - 1];
    if (last && span.offset - (last.offset + last.length) < minSkip) last.length = span.offset + span.length - last.offset;
    else spans.push({ ...span });
  }
  return spans;
}

function clip(span: ByteSpan, total: number): ByteSpan | null {
  const start = Math.max(0, span.offset);
  const end = Math.min(total, span.offset + span.length);
  return end > start ? { offset: start, length: end - start } : null;
}

async function fill(source: ByteSource, offset: number, target: Buffer): Promise<void> {
  if (isBulkReadable(source)) return source.readInto(offset, target);
  target.set(await source.read(offset, target.length));
}

function clampInt(value: number, min: number, max: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new RangeError(`byteDiff: ${name} must be an integer from ${min} to ${max}, not ${value}`);
  return value;
}

/** Builds maximal runs of differing offsets as they arrive in increasing order, up to a cap. */
class RangeCollector {
  readonly ranges: ByteRange[] = [];
  truncated = false;
  /** Where the first run beyond the cap starts (valid when truncated). */
  stoppedAt = 0;
  private runStart = -1;

  constructor(private readonly maxRanges: number) {}

  /** A differing run starts at `offset` (no-op when one is open). Returns false when the cap is hit. */
  open(offset: number): boolean {
    if (this.runStart >= 0) return true;
    if (this.ranges.length >= this.maxRanges) {
      this.truncated = true;
      this.stoppedAt = offset;
      return false;
    }
    this.runStart = offset;
    return true;
  }

  /** Equal bytes resume at `offset`: closes the open run, if any. */
  close(offset: number): void {
    if (this.runStart < 0) return;
    this.ranges.push({ offset: this.runStart, length: offset - this.runStart });
    this.runStart = -1;
  }

  finish(end: number): void {
    this.close(end);
  }
}

/** Compares `length` bytes of two chunks read at image offset `base`, feeding differing runs to `collector`. */
function compareChunk(bufA: Buffer, bufB: Buffer, length: number, base: number, collector: RangeCollector): void {
  const chunkA = length === bufA.length ? bufA : bufA.subarray(0, length);
  const chunkB = length === bufB.length ? bufB : bufB.subarray(0, length);
  if (chunkA.equals(chunkB)) {
    collector.close(base);
    return;
  }
  for (let block = 0; block < length; block += BLOCK_SIZE) {
    const end = Math.min(block + BLOCK_SIZE, length);
    if (chunkA.subarray(block, end).equals(chunkB.subarray(block, end))) {
      collector.close(base + block);
      continue;
    }
    for (let i = block; i < end; i++) {
      if (chunkA[i] !== chunkB[i]) {
        if (!collector.open(base + i)) return;
      } else {
        collector.close(base + i);
      }
    }
  }
}
