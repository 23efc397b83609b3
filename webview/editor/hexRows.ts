// The editor's annotated hex view (`#hex`): the shared viewport with one lane,
// and the cell renderer that colours bytes by field kind, names them, and draws
// the selection, cursor, hover and byte marks (a fix preview's changes). Both
// columns are runs of bytes that look alike, one element per run.
import type { CopyFormat, FieldSpan } from '../../src/shared/protocol/editor';
import type { BytesPerRowSetting } from '../../src/shared/protocol/common';
import { el } from '../dom';
import type { CellRenderer, HexCell, RowLayout } from '../hex/rowHtml';
import { LOADING, rowHtml } from '../hex/rowHtml';
import type { ViewRow } from '../hex/viewport';
import { HexViewport } from '../hex/viewport';
import { DragScroll } from './dragScroll';
import { firstSpanFrom } from '../spanIndex';
import type { EditorState } from './state';
import { t } from '../l10n';

/** Draws one byte: field kind and name, selection, marks, cursor, hover; ASCII mirrors all but the marks not meant for it. */
class EditorCells implements CellRenderer {
  private spanIndex = 0;
  private selLo = 0;
  private selHi = -1;
  private cursor = 0;
  private hover = -1;

  constructor(private readonly state: EditorState) {}

  beginRow(rowOffset: number): void {
    const { selection, spans } = this.state;
    this.spanIndex = firstSpanFrom(spans, rowOffset);
    this.selLo = selection.hasRange ? selection.lo : 0;
    this.selHi = selection.hasRange ? selection.hi : -1;
    this.cursor = selection.cursor;
    this.hover = this.state.hover;
  }

  describe(offset: number, _value: number, cell: HexCell): void {
    const spans = this.state.spans;
    while (this.spanIndex < spans.length && spans[this.spanIndex]!.offset + spans[this.spanIndex]!.length <= offset) this.spanIndex++;
    const candidate = spans[this.spanIndex];
    const span: FieldSpan | undefined = candidate && candidate.offset <= offset ? candidate : undefined;
    const selected = offset >= this.selLo && offset <= this.selHi;
    let hexState = selected ? ' selected' : '';
    let charState = hexState;
    for (const marks of this.state.marks) {
      if (marks.empty || !marks.has(offset)) continue;
      hexState += ` ${marks.className}`;
      if (marks.inAscii) charState += ` ${marks.className}`;
    }
    if (offset === this.cursor) {
      hexState += ' cursor';
      charState += ' cursor';
    }
    if (offset === this.hover) {
      hexState += ' hover';
      charState += ' hover';
    }
    cell.hexClass = span ? `hex-byte k-${span.kind}${hexState}` : `hex-byte${hexState}`;
    cell.charClass = `hex-char${charState}`;
    cell.group = span;
    // Where a field starts: a rule on its left.
    cell.startMarks = span && offset === span.offset ? ' span-start' : '';
    cell.title = span ? span.name : '';
  }
}

export interface HexPointer {
  /** A press on a byte (hex or ASCII cell). */
  press(offset: number, event: MouseEvent): void;
  /** The mouse moved onto byte `offset` with the button held since a press. */
  drag(offset: number): void;
  /** The button was released (anywhere). */
  release(): void;
  /** Copies the selection in `format` (Ctrl+C: hex; Copy As). */
  copy(format: CopyFormat): void;
  /** The byte under the mouse changed (null: none). */
  hover(offset: number | null): void;
  /** The mouse left the hex view. */
  leave(): void;
  /** A key in the focused hex view. */
  key(event: KeyboardEvent): void;
}

export class EditorHexPane {
  /** `#hex`: focusable, the grid. */
  readonly element: HTMLElement;
  readonly viewport: HexViewport;
  readonly header = el('div', { id: 'hex-header', className: 'hex-line' });
  readonly scroller: HTMLElement;
  private readonly layoutInfo: RowLayout = { offsetDigits: 8, lbaSectorSize: 512, mergeRuns: true };
  private readonly cells: EditorCells;
  /** Handlers that see the hex view's keys before the cursor keys; true: handled. */
  private readonly keyHandlers: ((event: KeyboardEvent) => boolean)[] = [];
  /** A shared row of loading bytes per row length (rows whose bytes are on their way). */
  private loadingRow = new Int16Array(0);
  private readonly pointer: HexPointer;

  constructor(
    private readonly state: EditorState,
    pointer: HexPointer,
    onReady: () => void,
  ) {
    const rows = el('div', { id: 'hex-rows' });
    const spacer = el('div', { id: 'hex-spacer' });
    this.scroller = el('div', { id: 'hex-scroller' }, rows, spacer);
    this.element = el('div', { id: 'hex' }, this.header, this.scroller);
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', t('Annotated hex view'));
    // The webview context menu's Copy As entries (package.json webview/context, webviewSection == hex).
    this.element.dataset.vscodeContext = JSON.stringify({ webviewSection: 'hex' });
    this.pointer = pointer;
    this.cells = new EditorCells(state);
    let ready = false;
    this.viewport = new HexViewport(
      { scroller: this.scroller, rows, spacer, lanes: [rows] },
      {
        ready: () => !!state.image && !!state.cache,
        totalBytes: () => state.image?.sizeBytes ?? 0,
        row: (rowOffset, rowLength) => this.row(rowOffset, rowLength),
        rendered: (firstRow, count, complete) => {
          // Prefetch the next screen in both directions so PageUp/PageDown stay instant.
          const bytesPerRow = this.viewport.bytesPerRow;
          const screenBytes = count * bytesPerRow;
          state.cache?.want(Math.max(0, firstRow * bytesPerRow - screenBytes), screenBytes);
          state.cache?.want((firstRow + count) * bytesPerRow, screenBytes);
          if (complete && count > 0 && !ready) {
            ready = true;
            onReady();
          }
        },
      },
      { placement: 'absolute' },
    );
    const dragScroll = new DragScroll(
      this.scroller,
      () => this.viewport,
      () => state.image?.sizeBytes ?? 0,
      () => state.selection.cursor,
      offsetAt,
      (offset) => pointer.drag(offset),
    );
    this.element.addEventListener('mousedown', (event: MouseEvent) => {
      const offset = offsetAtPointer(event);
      if (offset === null) return;
      event.preventDefault();
      this.element.focus();
      pointer.press(offset, event);
      if (event.button === 0 && event.detail !== 2) dragScroll.start(event);
    });
    window.addEventListener('mouseup', () => pointer.release());
    // mousemove, not mouseover: moving along an ASCII run stays on one element.
    this.element.addEventListener('mousemove', (event: MouseEvent) => {
      const offset = offsetAtPointer(event);
      if (offset !== null && event.buttons & 1) pointer.drag(offset);
      if (offset === (state.hover < 0 ? null : state.hover)) return;
      pointer.hover(offset);
    });
    this.element.addEventListener('mouseleave', () => pointer.leave());
    this.element.addEventListener('keydown', (event: KeyboardEvent) => {
      for (const handler of this.keyHandlers) if (handler(event)) return;
      pointer.key(event);
    });
  }

  /** Copies the selection in `format` (a Copy As command). */
  copy(format: CopyFormat): void {
    this.pointer.copy(format);
  }

  /** Lets a pane take keys in the hex view first (a byte editor's hex digits); it returns true for the keys it handled. */
  addKeyHandler(handler: (event: KeyboardEvent) => boolean): void {
    this.keyHandlers.push(handler);
  }

  /** The user's settings: bytes per row (`auto` lets the layout pick 16 or 8) and whether the LBA column may show. */
  preference: { bytesPerRow: BytesPerRowSetting; showLba: boolean } = { bytesPerRow: 'auto', showLba: true };
  /** The LBA column is shown (the layout hides it when the editor is narrow). */
  private lbaShown = true;

  /** Row widths the layout may pick, in order of preference. */
  rowWidths(): number[] {
    const setting = this.preference.bytesPerRow;
    return setting === 'auto' ? [16, 8] : [setting];
  }

  get showsLba(): boolean {
    return this.lbaShown;
  }

  /** Shows `bytesPerRow` bytes a row and the LBA column or not; true when that changed (the pane was laid out again). */
  setMode(bytesPerRow: number, lba: boolean): boolean {
    if (bytesPerRow === this.viewport.bytesPerRow && lba === this.lbaShown) return false;
    const cursor = this.state.selection.cursor;
    this.viewport.bytesPerRow = bytesPerRow;
    this.lbaShown = lba;
    this.layout();
    this.viewport.reveal(cursor, false, true);
    return true;
  }

  /**
   * Width in px the hex needs for `bytesPerRow` bytes a row with or without the LBA
   * column (the sums of hex.css: 6 px padding, offset, LBA, 2.6ch a byte and 0.6ch a
   * group gap, 12 px, the ASCII column, 8 px), plus the scrollbar; null before the first layout.
   */
  widthFor(bytesPerRow: number, lba: boolean): number | null {
    const off = this.header.querySelector<HTMLElement>('.off');
    if (!off) return null;
    const offChars = this.layoutInfo.offsetDigits + 2;
    const ch = off.getBoundingClientRect().width / offChars;
    if (!(ch > 0)) return null;
    const chars = offChars + (lba ? this.lbaChars : 0) + bytesPerRow * 2.6 + (bytesPerRow / 8 - 1) * 0.6 + bytesPerRow;
    return Math.ceil(6 + 8 + 12 + 8 + chars * ch + (this.scroller.offsetWidth - this.scroller.clientWidth) + 4);
  }

  private lbaChars = 12;

  /** New image or row width: columns, header, scroll range, every row. */
  layout(): void {
    const image = this.state.image;
    const bytesPerRow = this.viewport.bytesPerRow;
    const size = image?.sizeBytes ?? 1;
    const sectorSize = image?.sectorSize ?? 512;
    this.layoutInfo.offsetDigits = Math.max(8, (size - 1).toString(16).length);
    this.layoutInfo.lbaSectorSize = this.lbaShown ? sectorSize : null;
    const lbaDigits = String(Math.max(0, Math.floor((size - 1) / sectorSize))).length;
    this.lbaChars = lbaDigits + 5;
    this.element.style.setProperty('--lba-width', `${lbaDigits + 5}ch`); // CSSOM, not a style attribute: allowed by the CSP
    this.element.style.setProperty('--bytes-per-row', String(bytesPerRow));
    this.element.classList.toggle('wide', bytesPerRow === 32);
    const columns: string[] = [];
    for (let i = 0; i < bytesPerRow; i++) columns.push(`<span class="col">${i.toString(16).toUpperCase().padStart(2, '0')}</span>`);
    this.header.innerHTML = `<span class="off">${'Offset'.padEnd(this.layoutInfo.offsetDigits + 2, ' ')}</span>${this.lbaShown ? '<span class="lba">LBA</span>' : ''}<span class="bytes">${columns.join('')}</span><span class="ascii">ASCII</span>`;
    this.viewport.invalidate();
    this.viewport.layout();
  }

  /** Width the whole hex needs (offset to ASCII, its margin and the scrollbar), or null before the first layout. */
  neededWidth(): number | null {
    const ascii = this.header.querySelector<HTMLElement>('.ascii');
    if (!ascii) return null;
    // The header's last column ends where the rows' ASCII column ends.
    return ascii.getBoundingClientRect().right - this.header.getBoundingClientRect().left + 8 + (this.scroller.offsetWidth - this.scroller.clientWidth) + 2;
  }

  private row(rowOffset: number, rowLength: number): ViewRow {
    const data = this.state.cache!.range(rowOffset, rowLength);
    const { selection, hover } = this.state;
    const rowEnd = rowOffset + rowLength - 1;
    const selected =
      selection.hasRange && selection.hi >= rowOffset && selection.lo <= rowEnd ? `${Math.max(selection.lo, rowOffset)}-${Math.min(selection.hi, rowEnd)}` : '';
    const at = (offset: number): number => (offset >= rowOffset && offset <= rowEnd ? offset : -1);
    return {
      signature: `${data ? 1 : 0}|${selected}|${at(selection.cursor)}|${at(hover)}`,
      loaded: data !== null,
      draw: (out) => out.push(rowHtml(this.layoutInfo, rowOffset, data ?? this.loading(rowLength), data ? '' : ' loading', this.cells)),
    };
  }

  private loading(length: number): Int16Array {
    if (this.loadingRow.length !== length) this.loadingRow = new Int16Array(length).fill(LOADING);
    return this.loadingRow;
  }
}

/** The byte under the mouse: a hex run or an ASCII run maps the x position to its byte. */
function offsetAtPointer(event: MouseEvent): number | null {
  return offsetAt(event.target as Element, event.clientX);
}

/** The byte of the cell at `target` (a hex or ASCII run) under x position `clientX`, or null off the cells. */
function offsetAt(target: Element, clientX: number): number | null {
  const cell = target.closest<HTMLElement>('.hex-byte, .hex-char');
  if (!cell?.dataset.offset) return null;
  const start = Number(cell.dataset.offset);
  const length = Number(cell.dataset.length ?? 1);
  if (!(length > 1)) return start;
  const rect = cell.getBoundingClientRect();
  const index = Math.floor(((clientX - rect.left) / Math.max(1, rect.width)) * length);
  return start + Math.min(length - 1, Math.max(0, index));
}
