// One hex row as an HTML string, drawn byte by byte through a CellRenderer: the
// editor and the comparison view share the row's frame (offset, LBA, bytes,
// ASCII) and differ only in what a byte cell looks like. Rows are strings, not
// elements: the viewport parses a screen of new rows in one go. Pure: no DOM.
import { escapeHtml } from '../html';

/** Two upper-case hex digits for every byte value. */
export const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** A byte whose bytes are still on their way from the host (drawn `··`). */
export const LOADING = -1;
/** No byte here: past the end of this image while the other one of a comparison goes on (drawn blank). */
export const ABSENT = -2;

export interface RowLayout {
  /** Hex digits of the offset column (at least 8; more for images over 4 GiB). */
  offsetDigits: number;
  /** Sector size for the LBA column (`LBA n` where a sector starts); null: no LBA column. */
  lbaSectorSize: number | null;
  /**
   * One element per run of bytes that look alike (the editor: a screen would otherwise be
   * over a thousand elements to lay out on every scroll), or one element per byte.
   */
  mergeRuns: boolean;
}

/** What one byte looks like; a CellRenderer fills it in (the same object for every byte of a row). */
export interface HexCell {
  /** Classes of the hex cell, e.g. `hex-byte k-crc selected`. */
  hexClass: string;
  /** Classes of the ASCII cell (`hex-char selected`); empty: that character is plain text. */
  charClass: string;
  /** A run never crosses a change of group (the editor: the field the byte belongs to). */
  group: unknown;
  /** Classes added when a run starts at this byte, with a leading space (` span-start`); non-empty always starts a run. */
  startMarks: string;
  /** Tooltip of the run that starts at this byte, or ''. */
  title: string;
}

/**
 * Decides how each byte of a row looks. The builder calls `beginRow` and then
 * `describe` for every byte in increasing offset order, so a renderer can walk its
 * own sorted lists (fields, marks) instead of searching them per byte. This is
 * where marks are added: selection, cursor, hover, a fix preview, a difference,
 * and later edited bytes or search matches.
 */
export interface CellRenderer {
  beginRow?(rowOffset: number): void;
  /** `value` is 0..255, LOADING or ABSENT. */
  describe(offset: number, value: number, cell: HexCell): void;
}

/**
 * The HTML of one `.hex-row`: `values` holds a value, LOADING or ABSENT per byte
 * (its length is the row's length); `rowClass` adds classes to the row element
 * (leading space). Hex runs break at every 8-byte group (marked `group-start`).
 */
export function rowHtml(layout: RowLayout, rowOffset: number, values: ArrayLike<number>, rowClass: string, cells: CellRenderer): string {
  const sector = layout.lbaSectorSize;
  const lba = sector === null ? '' : `<span class="lba">${rowOffset % sector === 0 ? `LBA ${rowOffset / sector}` : ''}</span>`;
  const parts: string[] = [
    `<div class="hex-row${rowClass}" data-offset="${rowOffset}"><span class="off">0x${rowOffset.toString(16).toUpperCase().padStart(layout.offsetDigits, '0')}</span>${lba}<span class="bytes">`,
  ];
  const merge = layout.mergeRuns;
  const cell: HexCell = { hexClass: '', charClass: '', group: undefined, startMarks: '', title: '' };

  // The hex run being collected: it carries its first offset and length, and the pointer maps x to a byte.
  let hexClass = '';
  let hexGroup: unknown;
  let hexMarks = '';
  let hexTitle = '';
  let hexStart = rowOffset;
  let hexText: string[] = [];
  const flushHex = (): void => {
    if (hexText.length)
      parts.push(
        `<span class="${hexClass}${hexMarks}" data-offset="${hexStart}"${merge ? ` data-length="${hexText.length}"` : ''}${hexTitle ? ` title="${escapeHtml(hexTitle)}"` : ''}>${hexText.join(' ')}</span>`,
      );
  };
  // The ASCII run: the same offsets; a run with no class is plain text.
  const ascii: string[] = [];
  let charClass = '';
  let charStart = rowOffset;
  let charText = '';
  const flushChar = (): void => {
    if (!charText) return;
    ascii.push(
      charClass
        ? `<span class="${charClass}" data-offset="${charStart}" data-length="${charText.length}">${escapeHtml(charText)}</span>`
        : escapeHtml(charText),
    );
  };

  cells.beginRow?.(rowOffset);
  for (let i = 0; i < values.length; i++) {
    const offset = rowOffset + i;
    const value = values[i]!;
    cells.describe(offset, value, cell);
    const groupStart = i % 8 === 0;
    if (!merge || groupStart || cell.startMarks || cell.hexClass !== hexClass || cell.group !== hexGroup) {
      flushHex();
      hexClass = cell.hexClass;
      hexGroup = cell.group;
      hexTitle = cell.title;
      hexStart = offset;
      hexText = [];
      hexMarks = i > 0 && groupStart ? `${cell.startMarks} group-start` : cell.startMarks;
    }
    hexText.push(value >= 0 ? HEX[value]! : value === ABSENT ? '  ' : '··');
    if (cell.charClass !== charClass || (!merge && charClass)) {
      flushChar();
      charClass = cell.charClass;
      charStart = offset;
      charText = '';
    }
    charText += value >= 0x20 && value < 0x7f ? String.fromCharCode(value) : value >= 0 ? '.' : ' ';
  }
  flushHex();
  flushChar();
  parts.push(`</span><span class="ascii">${ascii.join('')}</span></div>`);
  return parts.join('');
}
