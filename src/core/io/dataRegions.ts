// Where a sparse file holds data, as a DataMap a scan can walk: the extents
// dataRanges gets from the file system (filefrag -e, the FIEMAP ioctl), or,
// where the platform cannot tell, every byte counts as data (the scan is then
// slower on sparse images, never wrong).
import type { ByteSpan } from './dataRanges';
import { dataRanges } from './dataRanges';

/** A data extent [start, end) of a file. */
export interface DataExtent {
  start: number;
  end: number;
}

/** Answers "where is the next data at or after `offset`?" for one file. */
export interface DataMap {
  /** How holes are found: "extents" (the file system listed them), or "none" (every byte is data). */
  readonly method: 'extents' | 'none';
  /** The first data extent that ends after `offset` (clipped to start at `offset` or later), or null when only holes follow. */
  nextData(offset: number): Promise<DataExtent | null>;
}

/** Every byte of [0, size) is data. */
export class WholeDataMap implements DataMap {
  readonly method = 'none' as const;
  constructor(private readonly size: number) {}
  async nextData(offset: number): Promise<DataExtent | null> {
    return offset < this.size ? { start: offset, end: this.size } : null;
  }
}

/** Data where the sorted, merged `spans` say, holes elsewhere. */
export class SpanDataMap implements DataMap {
  readonly method = 'extents' as const;
  constructor(private readonly spans: readonly ByteSpan[]) {}
  async nextData(offset: number): Promise<DataExtent | null> {
    // Binary search for the first span ending after offset.
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = this.spans[mid]!;
      if (s.offset + s.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    const span = this.spans[lo];
    return span ? { start: Math.max(offset, span.offset), end: span.offset + span.length } : null;
  }
}

/** The best DataMap for a regular file of `size` bytes (null file: not a plain file, every byte is data). */
export async function dataMapFor(file: string | null, size: number): Promise<DataMap> {
  const spans = file ? await dataRanges(file, size) : null;
  return spans ? new SpanDataMap(spans) : new WholeDataMap(size);
}
