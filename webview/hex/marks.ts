// Byte marks drawn over a hex view: sorted, disjoint byte ranges with a class
// name (a fix preview's changed bytes; the seam for edited bytes and search
// matches). Lookups are binary searches. Pure: no DOM.

export interface ByteRange {
  offset: number;
  length: number;
}

export class ByteMarks {
  private sorted: ByteRange[] = [];

  /** `className` goes on the hex cells of marked bytes, and on their ASCII cells when `inAscii`. */
  constructor(
    readonly className: string,
    readonly inAscii = false,
  ) {}

  get ranges(): readonly ByteRange[] {
    return this.sorted;
  }

  get empty(): boolean {
    return this.sorted.length === 0;
  }

  /** Replaces the marked ranges (sorted here; they must not overlap). */
  set(ranges: readonly ByteRange[]): void {
    this.sorted = ranges.filter((r) => r.length > 0).sort((x, y) => x.offset - y.offset);
  }

  clear(): void {
    this.sorted = [];
  }

  has(offset: number): boolean {
    const ranges = this.sorted;
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = ranges[mid]!;
      if (offset < range.offset) hi = mid - 1;
      else if (offset >= range.offset + range.length) lo = mid + 1;
      else return true;
    }
    return false;
  }
}
