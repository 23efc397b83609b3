// The sweep's reader thread: a worker reads the spans of a file in
// SCAN_SYNC_CHUNK_BYTES chunks into a ring of shared slots while the main
// thread searches the slots already filled, so the kernel's copy and the
// signature search run at the same time on two cores. The worker's code is a
// self-contained string (no bundle of its own). Slot states live in an
// Int32Array: 0 free, > 0 the bytes filled, -1 the worker failed. The main
// thread never waits without a bound: a short blocking wait (Atomics.wait, woken
// at once by the reader's notify: much cheaper than a promise per slot), then an
// asynchronous one of at most SCAN_WORKER_POLL_MS that lets the event loop run;
// and it yields every SCAN_YIELD_BYTES or SCAN_MAX_BLOCKING_MS, so progress is
// shown, a cancel noticed and a reader that died seen, and an extension host
// running the scan never stalls for long.
//
// A thread takes some tens of milliseconds to start, so the main thread reads
// the first chunks itself meanwhile (searching each while it is in the CPU
// cache) and hands the rest over when the reader is up: one shared cell holds
// the chunks the main thread has taken; the reader sets its TAKEN bit (an atomic
// or) and starts at the chunk after those, the main thread claims a chunk only
// by an atomic compare-exchange that fails once that bit is set.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ByteSpan } from '../io/dataRanges';
import { SCAN_SYNC_CHUNK_BYTES, SCAN_WORKER_BLOCK_MS, SCAN_WORKER_POLL_MS, SCAN_WORKER_SLOTS, SCAN_YIELD_BYTES, SCAN_MAX_BLOCKING_MS } from '../limits';
import { ScanReadError } from '../errors';

const READER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { file, base, spans, sab, chunk, slots, header, taken } = workerData;
const state = new Int32Array(sab, 0, slots + 1);
const data = new Uint8Array(sab, header);
let fd = -1;
let slot = 0;
let reading = base;
try {
  fd = fs.openSync(file, 'r');
  // The chunks the main thread read itself while this thread started.
  const skip = Atomics.or(state, slots, taken);
  let index = 0;
  for (const span of spans) {
    for (let at = span.offset; at < span.offset + span.length; at += chunk) {
      if (index++ < skip) continue;
      while (Atomics.load(state, slot) !== 0) Atomics.wait(state, slot, Atomics.load(state, slot), 1000);
      const length = Math.min(chunk, span.offset + span.length - at);
      let filled = 0;
      while (filled < length) {
        reading = base + at + filled;
        const n = fs.readSync(fd, data, slot * chunk + filled, length - filled, reading);
        if (n === 0) throw new Error('the file ends there: it shrank during the scan (' + fs.fstatSync(fd).size + ' bytes now)');
        filled += n;
      }
      Atomics.store(state, slot, length);
      Atomics.notify(state, slot);
      slot = (slot + 1) % slots;
    }
  }
} catch (error) {
  parentPort.postMessage({ offset: reading - base, reason: String((error && error.message) || error) });
  Atomics.store(state, slot, -1);
  Atomics.notify(state, slot);
} finally {
  if (fd >= 0) fs.closeSync(fd);
}
`;

/** Atomics.waitAsync (Node 16+; the TypeScript library here predates it). */
const waitAsync = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number, ms: number) => { async: boolean; value: unknown } }).waitAsync;

/** Reads `spans` of `file` (region starting at byte `base`) in a worker and hands each chunk to `search`, in order. */
export async function sweepInWorker(
  file: string,
  base: number,
  spans: ByteSpan[],
  search: (chunk: Uint8Array, offset: number) => void,
  signal: AbortSignal | undefined,
  onAdvance: ((offset: number) => void) | undefined,
): Promise<number> {
  const chunk = SCAN_SYNC_CHUNK_BYTES;
  const slots = SCAN_WORKER_SLOTS;
  // The slot states and the hand-over cell (index `slots`), then the slots, cache-line aligned.
  const header = Math.ceil(((slots + 1) * 4) / 64) * 64;
  const sab = new SharedArrayBuffer(header + chunk * slots);
  const state = new Int32Array(sab, 0, slots + 1);
  const data = new Uint8Array(sab, header);
  const worker = new Worker(READER, { eval: true, workerData: { file, base, spans, sab, chunk, slots, header, taken: TAKEN } });
  const early = openEarly(file);
  // What the reader reported before it stopped (set from its events, read by the loop below).
  const reader: { failure: { offset: number; reason: string } | null } = { failure: null };
  let gone = false;
  worker.on('message', (message: { offset: number; reason: string }) => (reader.failure = message));
  worker.on('error', (error) => (reader.failure = { offset: -1, reason: error.message }));
  const exited = new Promise<void>((resolve) =>
    worker.on('exit', () => {
      gone = true;
      resolve();
    }),
  );
  let bytesRead = 0;
  let slot = 0;
  let sinceProgress = 0;
  let lastYield = performance.now();
  let index = 0;
  let handedOver = early === null;
  try {
    for (const span of spans) {
      for (let at = span.offset; at < span.offset + span.length; at += chunk, index++) {
        if (!handedOver && Atomics.compareExchange(state, slots, index, index + 1) === index) {
          // The reader is not up yet: this chunk is the main thread's to read.
          const length = Math.min(chunk, span.offset + span.length - at);
          readEarly(early!, base, at, length);
          search(early!.buffer.subarray(0, length), at);
          bytesRead += length;
          sinceProgress += length;
          if (sinceProgress >= SCAN_YIELD_BYTES || performance.now() - lastYield >= SCAN_MAX_BLOCKING_MS) {
            sinceProgress = 0;
            onAdvance?.(at + length);
            await new Promise((resolve) => setImmediate(resolve));
            lastYield = performance.now();
            signal?.throwIfAborted();
          }
          continue;
        }
        handedOver = true;
        let filled = Atomics.load(state, slot);
        while (filled === 0) {
          signal?.throwIfAborted();
          if (gone && Atomics.load(state, slot) === 0)
            throw new ScanReadError(at, `the scan's reader thread stopped: ${reader.failure?.reason ?? 'it exited'}`);
          // A short blocking wait first (a futex: the reader's notify wakes it at once), then one
          // that lets the event loop run (a cancel, the reader's exit), bounded either way.
          if (Atomics.wait(state, slot, 0, SCAN_WORKER_BLOCK_MS) === 'timed-out') {
            const wait = waitAsync(state, slot, 0, SCAN_WORKER_POLL_MS);
            if (wait.async) await wait.value;
          }
          filled = Atomics.load(state, slot);
        }
        if (filled < 0) {
          // The reader posts what failed, then marks the slot and ends: its message is in by the time it has exited.
          if (!reader.failure) await exited;
          const failure = reader.failure as { offset: number; reason: string } | null;
          throw new ScanReadError(failure && failure.offset >= 0 ? failure.offset : at, failure?.reason ?? 'read error');
        }
        search(data.subarray(slot * chunk, slot * chunk + filled), at);
        Atomics.store(state, slot, 0);
        Atomics.notify(state, slot);
        slot = (slot + 1) % slots;
        bytesRead += filled;
        sinceProgress += filled;
        if (sinceProgress >= SCAN_YIELD_BYTES || performance.now() - lastYield >= SCAN_MAX_BLOCKING_MS) {
          sinceProgress = 0;
          onAdvance?.(at + filled);
          // The waits above may all have been blocking ones: let the event loop run (progress, a cancel).
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
          signal?.throwIfAborted();
        }
      }
    }
  } finally {
    if (early) fs.closeSync(early.fd);
    await worker.terminate();
  }
  return bytesRead;
}

/** The bit the reader sets in the hand-over cell when it starts (the cell counts chunks far below it). */
const TAKEN = 0x40000000;

interface EarlyReader {
  fd: number;
  buffer: Buffer;
}

/** The main thread's own handle and buffer for the first chunks, or null when the file will not open (the reader says why). */
function openEarly(file: string): EarlyReader | null {
  try {
    return { fd: fs.openSync(file, 'r'), buffer: Buffer.allocUnsafeSlow(SCAN_SYNC_CHUNK_BYTES) };
  } catch {
    return null;
  }
}

/** Reads `length` bytes at `at` of the region into the early buffer; fails as the reader thread would. */
function readEarly(early: EarlyReader, base: number, at: number, length: number): void {
  let filled = 0;
  try {
    while (filled < length) {
      const n = fs.readSync(early.fd, early.buffer, filled, length - filled, base + at + filled);
      if (n === 0) throw new Error(`the file ends there: it shrank during the scan (${fs.fstatSync(early.fd).size} bytes now)`);
      filled += n;
    }
  } catch (error) {
    throw new ScanReadError(at + filled, error instanceof Error ? error.message : String(error));
  }
}
