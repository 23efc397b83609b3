// The two synchronized hex views of the comparison: one shared viewport with two
// lanes (A left, B right), so both always show the same rows; a byte cell says
// whether it is the same, different, only in the longer image or past this image's end.
// Both lanes and their ASCII stay in view: when they do not fit, B's offset column
// goes (its rows are at A's offsets), then a row shows 8 bytes (bytesPerRow auto).
import type { Side } from '../../src/shared/protocol/compare';
import { SIDES } from '../../src/shared/protocol/compare';
import type { BytesPerRowSetting } from '../../src/shared/protocol/common';
import { el } from '../dom';
import { escapeHtml } from '../html';
import type { CellRenderer, HexCell, RowLayout } from '../hex/rowHtml';
import { ABSENT, HEX, LOADING, rowHtml } from '../hex/rowHtml';
import type { ViewRow } from '../hex/viewport';
import { HexViewport } from '../hex/viewport';
import { cellState, overlapsStop, stopAt } from './diffRanges';
import type { CompareState } from './state';
import { totalBytes } from './state';
import { t } from '../l10n';

/** One side's byte cells; the other side's values decide same / diff / only. */
class SideCells implements CellRenderer {
  /** The other side's values of the row being drawn. */
  theirs: Int16Array = new Int16Array(0);
  private rowOffset = 0;
  /** The difference navigated to ([currentLo, currentHi), empty when none) and the cursor, for this row. */
  private currentLo = 0;
  private currentHi = 0;
  private cursor = 0;

  constructor(private readonly state: CompareState) {}

  beginRow(rowOffset: number): void {
    const { stops, currentStop } = this.state;
    const current = currentStop >= 0 ? stops[currentStop] : undefined;
    this.rowOffset = rowOffset;
    this.currentLo = current?.offset ?? 0;
    this.currentHi = current ? current.offset + current.length : 0;
    this.cursor = this.state.cursor;
  }

  describe(offset: number, value: number, cell: HexCell): void {
    const other = this.theirs[offset - this.rowOffset]!;
    let cls = `hex-byte ${cellState(asCell(value), asCell(other))}`;
    if (offset >= this.currentLo && offset < this.currentHi) cls += ' current';
    if (offset === this.cursor) cls += ' cursor';
    cell.hexClass = cls;
  }
}

/** diffRanges' cell values: undefined while loading, null past the end. */
function asCell(value: number): number | null | undefined {
  return value === LOADING ? undefined : value === ABSENT ? null : value;
}

/** How the two lanes are drawn: bytes a row, and whether B's lane leaves its offsets to A's. */
export interface CompareMode {
  bytesPerRow: number;
  sharedOffsets: boolean;
}

export class CompareHexPane {
  readonly viewport: HexViewport;
  /** `diskx.hex.bytesPerRow`: auto lets the pane pick 16 or 8 a row. */
  preference: BytesPerRowSetting = 'auto';
  /** The mode of the last fit. */
  mode: CompareMode = { bytesPerRow: 16, sharedOffsets: false };
  /** The focusable pane (header, rows, status line). */
  readonly element: HTMLElement;
  readonly status = el('div', { id: 'hex-status' });
  private readonly header = el('div', { id: 'hex-header' });
  private readonly scroller: HTMLElement;
  private readonly layoutInfo: RowLayout = { offsetDigits: 8, lbaSectorSize: null, mergeRuns: false };
  private readonly cells: Record<Side, SideCells>;
  /** Rows on screen with a difference (counted while rendering). */
  private differingRows = 0;

  constructor(private readonly state: CompareState) {
    const hexA = el('div', { id: 'hex-a', className: 'hex-pane' });
    const hexB = el('div', { id: 'hex-b', className: 'hex-pane' });
    const rows = el('div', { id: 'hex-rows' }, hexA, hexB);
    const spacer = el('div', { id: 'hex-spacer' });
    const scroller = el('div', { id: 'hex-scroller' }, rows, spacer);
    this.scroller = scroller;
    this.element = el('div', { id: 'bytes-pane' }, this.header, scroller, this.status);
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', t('Byte comparison: A on the left, B on the right'));
    this.cells = { a: new SideCells(state), b: new SideCells(state) };
    this.viewport = new HexViewport(
      { scroller, rows, spacer, lanes: [hexA, hexB] },
      {
        ready: () => !!state.a && !!state.b,
        totalBytes: () => totalBytes(state),
        row: (rowOffset) => this.row(rowOffset),
        rendered: (first, count, complete) => this.rendered(first, count, complete),
      },
      { placement: 'flow' },
    );
    rows.addEventListener('mousedown', (event: MouseEvent) => {
      const target = (event.target as HTMLElement).closest<HTMLElement>('.hex-byte');
      if (!target?.dataset.offset) return;
      event.preventDefault();
      this.element.focus();
      this.moveCursor(Number(target.dataset.offset));
    });
    new ResizeObserver(() => this.fit()).observe(this.element);
  }

  get bytesPerRow(): number {
    return this.viewport.bytesPerRow;
  }

  /** New images: the offset digits, then the mode that fits, the header, the scroll range, every row. */
  layout(): void {
    this.layoutInfo.offsetDigits = Math.max(8, Math.max(0, totalBytes(this.state) - 1).toString(16).length);
    this.drawHeader(this.mode);
    this.fit(true);
  }

  /**
   * Picks the first mode whose two lanes fit the pane's width (each tried on the
   * header, whose columns are as wide as the rows'); when none fits, the last one,
   * and the pane scrolls sideways. `force`: lay the rows out even if the mode stays.
   */
  fit(force = false): void {
    const width = this.element.clientWidth;
    if (!(width > 0) || !this.state.a || !this.state.b) return;
    const setting = this.preference;
    const candidates: CompareMode[] = (setting === 'auto' ? [16, 8] : [setting]).flatMap((bytesPerRow) => [
      { bytesPerRow, sharedOffsets: false },
      { bytesPerRow, sharedOffsets: true },
    ]);
    const scrollbar = this.scroller.offsetWidth - this.scroller.clientWidth;
    let chosen = candidates[candidates.length - 1]!;
    for (const mode of candidates) {
      this.drawHeader(mode);
      if (this.headerWidth() + scrollbar <= width) {
        chosen = mode;
        break;
      }
    }
    this.drawHeader(chosen);
    const changed = chosen.bytesPerRow !== this.mode.bytesPerRow || chosen.sharedOffsets !== this.mode.sharedOffsets;
    this.mode = chosen;
    if (!changed && !force) return;
    this.viewport.bytesPerRow = chosen.bytesPerRow;
    this.viewport.invalidate();
    this.viewport.layout();
    this.viewport.reveal(this.state.cursor, false, true);
    this.viewport.schedule();
  }

  /** Width of both lanes' headings and the gap between them (the rows' widths; the names do not widen them). */
  private headerWidth(): number {
    const lines = this.header.children;
    const first = lines[0]?.getBoundingClientRect();
    const last = lines[lines.length - 1]?.getBoundingClientRect();
    return first && last ? Math.ceil(last.right - first.left) : 0;
  }

  private drawHeader(mode: CompareMode): void {
    const { a, b } = this.state;
    this.element.classList.toggle('shared-offsets', mode.sharedOffsets);
    this.element.style.setProperty('--bytes-per-row', String(mode.bytesPerRow)); // CSSOM: allowed by the CSP
    const columns: string[] = [];
    for (let i = 0; i < mode.bytesPerRow; i++) columns.push(`<span class="col">${HEX[i]}</span>`);
    // Each lane: its image's name on a line of its own, as wide as the lane (cut only when even that is too
    // narrow; the full name in the title), then the column headings.
    const paneHeader = (letter: string, info: { name: string } | null): string => {
      const name = escapeHtml(`${letter}: ${info?.name ?? ''}`);
      return `<div class="lane-head"><div class="lane-name side-${letter.toLowerCase()}" title="${name}">${name}</div><div class="hex-line"><span class="off">${'Offset'.padEnd(this.layoutInfo.offsetDigits + 2, ' ')}</span><span class="bytes">${columns.join('')}</span><span class="ascii">ASCII</span></div></div>`;
    };
    this.header.innerHTML = paneHeader('A', a) + paneHeader('B', b);
  }

  /** Moves the cursor (clamped to the images) and scrolls to it. */
  moveCursor(to: number): void {
    this.state.cursor = Math.min(Math.max(0, totalBytes(this.state) - 1), Math.max(0, to));
    this.state.currentStop = stopAt(this.state.stops, this.state.cursor);
    this.viewport.reveal(this.state.cursor);
    this.viewport.schedule();
    this.describeCursor();
  }

  describeCursor(): void {
    const info = this.state.a ?? this.state.b;
    if (!info) return;
    const cursor = this.state.cursor;
    this.status.textContent = `0x${cursor.toString(16).toUpperCase()} (${cursor}) · LBA ${Math.floor(cursor / info.sectorSize)} + ${cursor % info.sectorSize}`;
  }

  /** Bytes of one row of one side: a value, LOADING, or ABSENT past that image's end. */
  private values(side: Side, rowOffset: number): Int16Array {
    const bytesPerRow = this.bytesPerRow;
    const out = new Int16Array(bytesPerRow).fill(ABSENT);
    const size = this.state[side]?.sizeBytes ?? 0;
    const present = Math.max(0, Math.min(bytesPerRow, size - rowOffset));
    if (present === 0) return out;
    const data = this.state.caches[side]?.range(rowOffset, present) ?? null;
    if (data) out.set(data);
    else out.fill(LOADING, 0, present);
    return out;
  }

  private row(rowOffset: number): ViewRow {
    const bytesPerRow = this.bytesPerRow;
    const values = { a: this.values('a', rowOffset), b: this.values('b', rowOffset) };
    let differs = overlapsStop(this.state.stops, rowOffset, bytesPerRow);
    let loading = false;
    for (let i = 0; i < bytesPerRow && !(differs && loading); i++) {
      const a = values.a[i]!;
      const b = values.b[i]!;
      if (a === LOADING || b === LOADING) loading = true;
      else if (a !== b) differs = true; // a value against ABSENT: only in one image
    }
    if (differs) this.differingRows++;
    const rowEnd = rowOffset + bytesPerRow;
    const at = (offset: number): number => (offset >= rowOffset && offset < rowEnd ? offset : -1);
    const current = this.state.currentStop >= 0 ? this.state.stops[this.state.currentStop] : undefined;
    const currentPart = current && current.offset < rowEnd && current.offset + current.length > rowOffset ? `${current.offset}+${current.length}` : '';
    return {
      signature: `${values.a[0] === LOADING ? 0 : 1}${values.b[0] === LOADING ? 0 : 1}|${at(this.state.cursor)}|${currentPart}`,
      loaded: !loading,
      draw: (out) => {
        const rowClass = `${loading ? ' loading' : ''}${differs ? ' has-diff' : ''}`;
        for (const side of SIDES) {
          const cells = this.cells[side];
          cells.theirs = values[side === 'a' ? 'b' : 'a'];
          out.push(rowHtml(this.layoutInfo, rowOffset, values[side], rowClass, cells));
        }
      },
    };
  }

  private rendered(firstRow: number, count: number, complete: boolean): void {
    const bytesPerRow = this.bytesPerRow;
    // Prefetch the next screen in both directions so PageUp/PageDown stay instant.
    const screenBytes = count * bytesPerRow;
    for (const side of SIDES) {
      this.state.caches[side]?.want(Math.max(0, firstRow * bytesPerRow - screenBytes), screenBytes);
      this.state.caches[side]?.want((firstRow + count) * bytesPerRow, screenBytes);
    }
    document.body.dataset.visibleDiffRows = String(this.differingRows);
    this.differingRows = 0;
    document.body.dataset.firstRow = String(firstRow);
    if (complete && count > 0) document.body.dataset.ready = 'true';
  }
}
