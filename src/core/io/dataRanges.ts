// Where a sparse file holds data. Node has no lseek(SEEK_DATA/SEEK_HOLE) and no
// FIEMAP ioctl, so on Linux we ask `filefrag -e` (e2fsprogs, on every Debian
// system; it uses the FIEMAP ioctl) for the file's extents. Everything outside
// the extents it lists is a hole and reads as zeros, so a whole-image scan can
// skip it without reading. Unwritten (fallocated) extents also read as zeros.
//
// This is an optimisation only: when the helper is missing, the platform is not
// Linux, the file system cannot say (FIEMAP unsupported: filefrag then fails or
// falls back to FIBMAP, which needs root), the output is not what we expect or
// lists too many extents, the answer is null and callers read every byte.
import { execFile } from 'node:child_process';
import { MAX_DATA_EXTENTS, DATA_RANGES_TIMEOUT_MS } from '../limits';

/** A run of bytes [offset, offset + length). */
export interface ByteSpan {
  offset: number;
  length: number;
}

/** The program asked for extents (tests point it elsewhere to simulate its absence). */
export const DATA_RANGES_HELPER = { command: 'filefrag' };

/**
 * The byte ranges of regular file `file` (of `size` bytes) that may hold data,
 * sorted and merged, rounded out to the file system's block size and clipped to
 * `size`; everything else reads as zeros. Null when that cannot be told.
 */
export async function dataRanges(file: string, size: number): Promise<ByteSpan[] | null> {
  if (process.platform !== 'linux' || size <= 0) return null;
  // -s: flush the file first, so data still in the page cache is mapped too.
  const output = await run(DATA_RANGES_HELPER.command, ['-s', '-e', '--', file]);
  if (output === null) return null;
  return parseFilefrag(output, size);
}

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    // Bounded: a time limit and an output limit (about 100 bytes a line).
    execFile(
      command,
      args,
      { timeout: DATA_RANGES_TIMEOUT_MS, maxBuffer: MAX_DATA_EXTENTS * 128 + 4096, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout) => {
        resolve(error ? null : stdout);
      },
    );
  });
}

/**
 * Parses `filefrag -e` output into merged data spans, or null when it is not the
 * output we know. Exported for tests.
 */
export function parseFilefrag(output: string, size: number): ByteSpan[] | null {
  const lines = output.split('\n');
  let blockSize = 0;
  let sawTable = false;
  const spans: ByteSpan[] = [];
  for (const line of lines) {
    const header = /\((\d+) blocks? of (\d+) bytes\)\s*$/.exec(line);
    if (header && line.startsWith('File size of ')) {
      blockSize = Number(header[2]);
      continue;
    }
    if (/^\s*ext:\s+logical_offset:/.test(line)) {
      sawTable = true;
      continue;
    }
    // "   0:        0..     255:    1234..   1489:    256:             last,eof"
    const extent = /^\s*\d+:\s*(\d+)\.\.\s*(\d+):/.exec(line);
    if (!extent || !sawTable) continue;
    if (!Number.isSafeInteger(blockSize) || blockSize <= 0 || (blockSize & (blockSize - 1)) !== 0) return null;
    if (spans.length >= MAX_DATA_EXTENTS) return null;
    const first = Number(extent[1]);
    const last = Number(extent[2]);
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return null;
    // An unwritten (preallocated) extent reads as zeros: a hole for our purpose.
    if (/\bunwritten\b/.test(line.slice(extent[0].length))) continue;
    const start = first * blockSize;
    if (start >= size) continue;
    const end = Math.min(size, (last + 1) * blockSize);
    if (!Number.isSafeInteger(end)) return null;
    spans.push({ offset: start, length: end - start });
  }
  // With no extents at all filefrag prints no table, only "NAME: 0 extents found".
  if (blockSize === 0 || (!sawTable && !/: 0 extents found\s*$/.test(output))) return null;
  return mergeSpans(spans);
}

/** Sorts and merges overlapping or touching spans. */
export function mergeSpans(spans: readonly ByteSpan[]): ByteSpan[] {
  const sorted = spans.filter((s) => s.length > 0).sort((a, b) => a.offset - b.offset);
  const merged: ByteSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, span.offset + span.length - last.offset);
    } else {
      merged.push({ offset: span.offset, length: span.length });
    }
  }
  return merged;
}
