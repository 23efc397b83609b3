// Streaming search of a whole image, forward or backward, in bounded memory: one
// buffer of chunkSize + (longest pattern - 1) bytes, filled with large
// positional reads, windows overlapping by a pattern's length so a match across
// a chunk boundary is found exactly once. Holes of sparse files (DataMap) are
// skipped, each data extent widened by the pattern length on both sides so a
// match touching a hole's zeros is still seen; a pattern that matches all-zero
// bytes disables skipping (its matches may lie inside holes).
// Inside a window each pattern's longest run of fixed bytes is found with
// Buffer.indexOf (memchr/memmem speed), then the wildcards are checked.
import type { ByteSource } from '../io/byteSource';
import { isBulkReadable } from '../io/scanSource';
import type { DataMap } from '../io/dataRegions';
import { WholeDataMap } from '../io/dataRegions';
import { FIND_CHUNK_BYTES, MAX_DATA_EXTENTS, MAX_FIND_RESULTS } from '../limits';
import type { SearchPattern } from './pattern';
import { matchesZeros } from './pattern';

export interface FindOptions {
  /** First byte to search from (forward) or before which to search (backward); default the start or the end. */
  from?: number;
  direction?: 'forward' | 'backward';
  /** Matches reported before the search stops with truncated: true (default and most MAX_FIND_RESULTS). */
  maxResults?: number;
  chunkSize?: number;
  /** Where the data is (default: every byte). */
  dataMap?: DataMap;
  /** Called after every window with the bytes covered so far (holes count as covered) and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops the search after the current window; findAll then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface FindMatch {
  offset: number;
  /** Index into the patterns given. */
  pattern: number;
}

export interface FindResult {
  /** In the search direction (ascending forward, descending backward). */
  matches: FindMatch[];
  truncated: boolean;
  /** Bytes actually read. */
  bytesRead: number;
  /** Bytes of holes not read. */
  bytesSkipped: number;
  holes: DataMap['method'];
}

interface Prepared {
  pattern: SearchPattern;
  index: number;
  anchor: Buffer;
  anchorAt: number;
}

function prepare(patterns: readonly SearchPattern[]): Prepared[] {
  return patterns.map((pattern, index) => {
    // The longest run of fixed bytes is what indexOf looks for.
    let best = { at: 0, length: 0 };
    for (let i = 0; i < pattern.mask.length;) {
      if (!pattern.mask[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < pattern.mask.length && pattern.mask[j]) j++;
      if (j - i > best.length) best = { at: i, length: j - i };
      i = j;
    }
    return { pattern, index, anchor: Buffer.from(pattern.bytes.subarray(best.at, best.at + best.length)), anchorAt: best.at };
  });
}

/**
 * Matches with a start in [from, to) of `window` (which begins at image offset
 * `base`), ascending: at most `limit` of them, the first ones (forward) or the
 * last ones (backward), so a pattern matching everywhere costs no memory.
 */
function matchWindow(window: Buffer, base: number, from: number, to: number, prepared: Prepared[], limit: number, backward: boolean): FindMatch[] {
  const found: FindMatch[] = [];
  for (const p of prepared) {
    const length = p.pattern.bytes.length;
    const mine: FindMatch[] = [];
    let at = from - base + p.anchorAt;
    while (true) {
      const hit = window.indexOf(p.anchor, at);
      if (hit < 0) break;
      const start = hit - p.anchorAt;
      if (base + start >= to || start + length > window.length) break;
      at = hit + 1;
      let ok = true;
      for (let k = 0; k < length && ok; k++) ok = !p.pattern.mask[k] || window[start + k] === p.pattern.bytes[k];
      if (!ok) continue;
      mine.push({ offset: base + start, pattern: p.index });
      if (!backward && mine.length >= limit) break;
      if (backward && mine.length >= 2 * limit) mine.splice(0, mine.length - limit); // keep the last ones, amortised
    }
    for (const m of backward ? mine.slice(Math.max(0, mine.length - limit)) : mine) found.push(m);
  }
  found.sort((a, b) => a.offset - b.offset || a.pattern - b.pattern);
  return backward ? found.slice(Math.max(0, found.length - limit)) : found.slice(0, limit);
}

/** Every match of `patterns` in `source`, in the search direction, until maxResults. Forward: matches starting at or after `from`; backward: starting before it. */
export async function findAll(source: ByteSource, patterns: readonly SearchPattern[], options: FindOptions = {}): Promise<FindResult> {
  if (patterns.length === 0) throw new RangeError('findAll needs at least one pattern');
  const size = source.size;
  const backward = options.direction === 'backward';
  const maxResults = Math.max(1, Math.min(options.maxResults ?? MAX_FIND_RESULTS, MAX_FIND_RESULTS));
  const chunk = Math.max(4096, Math.min(options.chunkSize ?? FIND_CHUNK_BYTES, FIND_CHUNK_BYTES));
  const overlap = Math.max(...patterns.map((p) => p.bytes.length)) - 1;
  const prepared = prepare(patterns);
  const map = patterns.some(matchesZeros) ? new WholeDataMap(size) : (options.dataMap ?? new WholeDataMap(size));
  const from = Math.max(0, Math.min(options.from ?? (backward ? size : 0), size));
  // Match starts lie in [lo, hi); their bytes may reach up to `overlap` past hi.
  const [lo, hi] = backward ? [0, from] : [from, size];
  const buffer = Buffer.allocUnsafe(chunk + overlap);
  const result: FindResult = { matches: [], truncated: false, bytesRead: 0, bytesSkipped: 0, holes: map.method };
  const total = hi - lo;
  const extents = await dataExtents(map, lo, Math.min(size, hi + overlap), overlap);
  if (backward) extents.reverse();
  let scanned = 0;
  for (const extent of extents) {
    const startsEnd = Math.min(extent.end, hi);
    for (const start of windows(extent.start, startsEnd, chunk, backward)) {
      options.signal?.throwIfAborted();
      const matchEnd = Math.min(start + chunk, startsEnd);
      const view = buffer.subarray(0, Math.min(matchEnd + overlap, extent.end) - start);
      await readInto(source, start, view);
      result.bytesRead += view.length;
      scanned += matchEnd - start;
      const found = matchWindow(view, start, start, matchEnd, prepared, maxResults - result.matches.length + 1, backward);
      if (backward) found.reverse();
      for (const m of found) {
        if (result.matches.length >= maxResults) {
          result.truncated = true;
          break;
        }
        result.matches.push(m);
      }
      options.onProgress?.(backward ? hi - start : matchEnd - lo, total);
      if (result.truncated) break;
    }
    if (result.truncated) break;
  }
  result.bytesSkipped = result.truncated ? 0 : Math.max(0, total - scanned);
  return result;
}

// Window starts over [start, end) stepping by chunk, last first when going backward.
function windows(start: number, end: number, chunk: number, backward: boolean): number[] {
  const out: number[] = [];
  for (let at = start; at < end; at += chunk) out.push(at);
  return backward ? out.reverse() : out;
}

// The data extents in [lo, hi), each widened by `pad` bytes on both sides and merged;
// past MAX_DATA_EXTENTS the rest counts as one extent of data (memory stays bounded).
async function dataExtents(map: DataMap, lo: number, hi: number, pad: number): Promise<{ start: number; end: number }[]> {
  const out: { start: number; end: number }[] = [];
  let at = lo;
  while (at < hi) {
    if (out.length >= MAX_DATA_EXTENTS) {
      const last = out[out.length - 1]!;
      if (at - pad <= last.end) last.end = hi;
      else out.push({ start: Math.max(lo, at - pad), end: hi });
      break;
    }
    const next = await map.nextData(at);
    if (!next || next.start >= hi) break;
    const start = Math.max(lo, next.start - pad);
    const end = Math.min(hi, next.end + pad);
    const last = out[out.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
    at = next.end;
  }
  return out;
}

async function readInto(source: ByteSource, offset: number, target: Buffer): Promise<void> {
  if (isBulkReadable(source)) return source.readInto(offset, target);
  target.set(await source.read(offset, target.length));
}
