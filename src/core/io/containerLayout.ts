// Where a container file's bytes belong: every allocated block's data and every
// piece of metadata (headers, tables, bitmaps) as a file range. Two of them that
// share bytes (two table entries to one cluster, a block over the BAT) mean a
// write through one would change the other: a hostile or damaged file, reported
// as a finding and refused before any write. Ranges are kept in typed arrays so a
// large table costs 20 bytes per block, and their number is bounded
// (MAX_LAYOUT_SCAN_ENTRIES).
import { MAX_LAYOUT_SCAN_ENTRIES } from '../limits';
import { markedText, msg, renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

/** Two ranges of one container file that share bytes. */
export interface LayoutOverlap {
  file: string;
  /** What each range is: "virtual block 12" or "the BAT". */
  first: string;
  second: string;
  /** `first` and `second` as messages (the editor shows them in the user's language). */
  firstText: Message;
  secondText: Message;
  /** The shared bytes (file offsets). */
  fileOffset: number;
  length: number;
}

/** The outcome of a layout scan of one file. */
export type LayoutCheck =
  | { kind: 'checked'; overlaps: LayoutOverlap[]; total: number }
  /** More blocks than MAX_LAYOUT_SCAN_ENTRIES, or tables larger than the scan reads: not checked. */
  | { kind: 'too-large'; why: string | Message };

/** Overlaps listed in full (the count is always given). */
export const REPORTED_OVERLAPS = 8;

/** The file ranges of one container file, collected while its tables are read. */
export class FileLayout {
  private start = new Float64Array(256);
  private length = new Float64Array(256);
  /** >= 0: a virtual block index; < 0: -(1 + index into `names`) for metadata. */
  private tag = new Float64Array(256);
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  count = 0;

  constructor(
    readonly file: string,
    readonly blockNoun: 'virtual block' | 'virtual cluster' | 'virtual grain' = 'virtual block',
  ) {}

  /** True while another range may be added (MAX_LAYOUT_SCAN_ENTRIES). */
  get full(): boolean {
    return this.count >= MAX_LAYOUT_SCAN_ENTRIES;
  }

  /** Adds block `index`'s data at [offset, offset + length); false when the layout is full. */
  block(index: number, offset: number, length: number): boolean {
    return this.push(index, offset, length);
  }

  /** Adds a piece of metadata named `what`, an english()-marked text (names are kept once each: use a kind, not a per-entry text). */
  metadata(what: string, offset: number, length: number): boolean {
    let name = this.nameIndex.get(what);
    if (name === undefined) {
      if (this.full) return false;
      name = this.names.push(what) - 1;
      this.nameIndex.set(what, name);
    }
    return this.push(-1 - name, offset, length);
  }

  private push(tag: number, offset: number, length: number): boolean {
    if (length <= 0) return true;
    if (this.full) return false;
    if (this.count === this.start.length) {
      const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start);
      this.length = grow(this.length);
      this.tag = grow(this.tag);
    }
    this.start[this.count] = offset;
    this.length[this.count] = length;
    this.tag[this.count] = tag;
    this.count++;
    return true;
  }

  /** "virtual block 12 (file bytes 1024..2047)", "the BAT (file bytes ...)". */
  private describe(i: number): Message {
    const tag = this.tag[i]!;
    const [first, last] = [this.start[i]!, this.start[i]! + this.length[i]! - 1];
    if (tag < 0) return msg('{0} (file bytes {1}..{2})', markedText(this.names[-tag - 1]!), first, last);
    switch (this.blockNoun) {
      case 'virtual cluster':
        return msg('virtual cluster {0} (file bytes {1}..{2})', tag, first, last);
      case 'virtual grain':
        return msg('virtual grain {0} (file bytes {1}..{2})', tag, first, last);
      default:
        return msg('virtual block {0} (file bytes {1}..{2})', tag, first, last);
    }
  }

  /** Every pair of ranges that share bytes (the first REPORTED_OVERLAPS in full, all counted). */
  overlaps(): { overlaps: LayoutOverlap[]; total: number } {
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[i] = i;
    order.sort((a, b) => this.start[a]! - this.start[b]! || a - b);
    const overlaps: LayoutOverlap[] = [];
    let total = 0;
    let widest = -1; // the range seen so far that ends last
    for (const i of order) {
      if (widest >= 0) {
        const end = this.start[widest]! + this.length[widest]!;
        if (this.start[i]! < end) {
          total++;
          if (overlaps.length < REPORTED_OVERLAPS) {
            const [firstText, secondText] = [this.describe(widest), this.describe(i)];
            overlaps.push({
              file: this.file,
              first: renderMessage(firstText),
              second: renderMessage(secondText),
              firstText,
              secondText,
              fileOffset: this.start[i]!,
              length: Math.min(end, this.start[i]! + this.length[i]!) - this.start[i]!,
            });
          }
        }
      }
      if (widest < 0 || this.start[i]! + this.length[i]! > this.start[widest]! + this.length[widest]!) widest = i;
    }
    return { overlaps, total };
  }
}

/** The one-line reason a write is refused because of `check`, or null when the layout is sound. */
export function layoutRefusal(check: LayoutCheck): string | null {
  const text = layoutRefusalText(check);
  return text && renderMessage(text);
}

/** layoutRefusal as a msg() template (the editor shows it in the user's language). */
export function layoutRefusalText(check: LayoutCheck): Message | null {
  if (check.kind === 'too-large') return msg('diskx could not check that no two of its table entries share file bytes ({0})', check.why);
  if (check.total === 0) return null;
  const first = check.overlaps[0]!;
  return check.total > 1
    ? msg(
        'its tables are inconsistent: {0} and {1} share file bytes ({2} such overlaps), so a write through one would change the other',
        first.firstText,
        first.secondText,
        check.total,
      )
    : msg('its tables are inconsistent: {0} and {1} share file bytes, so a write through one would change the other', first.firstText, first.secondText);
}
