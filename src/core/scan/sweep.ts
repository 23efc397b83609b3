// The sequential pass of the partition scan: every byte of the spans to read
// goes through `search` once, in order, chunk by chunk, with bounded memory.
//
// Three ways to read. A file (ScanFileSource) is read by a reader thread into
// shared slots while this thread searches (sweepWorker.ts): the copy and the
// search overlap. Otherwise, a source that can read synchronously (a raw file or block
// device) is read in SCAN_SYNC_CHUNK_BYTES steps into one buffer, each chunk
// searched at once while it is still in the CPU cache; the pass yields to the
// event loop every SCAN_YIELD_BYTES so progress is shown and a cancel is seen.
// That costs little more than the kernel's copy (which `dd` pays too): a promise
// per read and a search over a buffer the cache has lost cost about as much
// again. Any other source (a VMDK's extents, a test's source) is read with
// SCAN_READS_IN_FLIGHT large asynchronous reads at once.
import type { ByteSource } from '../io/byteSource';
import type { ByteSpan } from '../io/dataRanges';
import { isBulkReadable, isSyncReadable } from '../io/scanSource';
import { sweepInWorker } from './sweepWorker';
import { DiskxError, ScanReadError, describeError } from '../errors';
import { SCAN_CHUNK_BYTES, SCAN_READS_IN_FLIGHT, SCAN_SYNC_CHUNK_BYTES, SCAN_YIELD_BYTES } from '../limits';

export interface SweepOptions {
  signal?: AbortSignal | undefined;
  /** Called with the absolute offset up to which the pass has searched. */
  onAdvance?: (offset: number) => void;
}

/** The chunks of `spans` in order, at most `size` bytes each (made lazily: no list of every chunk). */
function* chunksOf(spans: ByteSpan[], size: number): Generator<{ offset: number; length: number }> {
  for (const span of spans) {
    for (let at = span.offset; at < span.offset + span.length; at += size) {
      yield { offset: at, length: Math.min(size, span.offset + span.length - at) };
    }
  }
}

/** A read of the pass that failed at `offset`, as one line (EIO, a file that shrank, a container's own error). */
function readFailure(offset: number, error: unknown): ScanReadError {
  const coded = error instanceof DiskxError || (error as { code?: unknown } | null)?.code !== undefined;
  return new ScanReadError(offset, coded || !(error instanceof Error) ? describeError(error) : error.message);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reads every byte of `spans` from `bulk` and hands each chunk to `search`; returns the bytes read. */
export async function sweep(
  bulk: ByteSource,
  spans: ByteSpan[],
  search: (chunk: Uint8Array, offset: number) => void,
  options: SweepOptions = {},
): Promise<number> {
  const region = (bulk as ByteSource & { fileRegion?: () => { path: string; base: number } }).fileRegion?.();
  if (region) return sweepInWorker(region.path, region.base, spans, search, options.signal, options.onAdvance);
  return isSyncReadable(bulk) ? sweepSync(bulk, spans, search, options) : sweepAsync(bulk, spans, search, options);
}

async function sweepSync(
  bulk: ByteSource & { readIntoSync(offset: number, target: Uint8Array): void },
  spans: ByteSpan[],
  search: (chunk: Uint8Array, offset: number) => void,
  { signal, onAdvance }: SweepOptions,
): Promise<number> {
  const buffer = Buffer.allocUnsafeSlow(SCAN_SYNC_CHUNK_BYTES);
  let bytesRead = 0;
  let sinceYield = 0;
  for (const job of chunksOf(spans, SCAN_SYNC_CHUNK_BYTES)) {
    const target = buffer.subarray(0, job.length);
    try {
      bulk.readIntoSync(job.offset, target);
    } catch (error) {
      throw readFailure(job.offset, error);
    }
    search(target, job.offset);
    bytesRead += job.length;
    sinceYield += job.length;
    if (sinceYield >= SCAN_YIELD_BYTES) {
      sinceYield = 0;
      onAdvance?.(job.offset + job.length);
      await nextTurn();
      signal?.throwIfAborted();
    }
  }
  return bytesRead;
}

async function sweepAsync(
  bulk: ByteSource,
  spans: ByteSpan[],
  search: (chunk: Uint8Array, offset: number) => void,
  { signal, onAdvance }: SweepOptions,
): Promise<number> {
  const jobs = chunksOf(spans, SCAN_CHUNK_BYTES);
  const free: Buffer[] = Array.from({ length: SCAN_READS_IN_FLIGHT }, () => Buffer.allocUnsafeSlow(SCAN_CHUNK_BYTES));
  interface Read {
    offset: number;
    buffer: Buffer;
    target: Buffer;
    done: Promise<void>;
  }
  const pending: Read[] = [];
  const launch = (): boolean => {
    const job = jobs.next();
    if (job.done) return false;
    const buffer = free.pop()!;
    const target = buffer.subarray(0, job.value.length);
    const { offset, length } = job.value;
    const done = isBulkReadable(bulk) ? bulk.readInto(offset, target) : bulk.read(offset, length).then((bytes) => void target.set(bytes));
    done.catch(() => undefined); // awaited below
    pending.push({ offset, buffer, target, done });
    return true;
  };
  let bytesRead = 0;
  try {
    while (free.length > 0 && launch());
    while (pending.length > 0) {
      const read = pending.shift()!;
      await read.done.catch((error: unknown) => {
        throw readFailure(read.offset, error);
      });
      signal?.throwIfAborted();
      search(read.target, read.offset);
      bytesRead += read.target.length;
      onAdvance?.(read.offset + read.target.length);
      free.push(read.buffer);
      launch();
    }
  } finally {
    // Never leave a read filling a buffer behind us.
    await Promise.allSettled(pending.map((r) => r.done));
  }
  return bytesRead;
}
