// The hex viewport shared by the editor and the comparison view: a fixed-height
// scroller whose content stands for every row of the image (virtualScroll.ts does
// the math, scaled above 8,000,000 px), the scroll, wheel and resize handling,
// and the rows on screen, built by a RowSource and recycled.
//
// Rows are recycled: each visible row keeps its elements while its signature
// (what it shows: bytes loaded, marks within it) is unchanged; scrolling only
// builds the rows that come into view and moves the others. A screen is over a
// thousand cells, so building only the new rows is most of a scroll frame's work saved.
import type { ScrollGeometry } from '../virtualScroll';
import { contentHeight, fullRows, isScaled, maxFirstRow, renderedRows, revealRow, rowForScrollTop, scrollTopForRow } from '../virtualScroll';

/** Height of a hex row in pixels (the CSS of both views agrees). */
export const ROW_HEIGHT = 20;

/** One visible row as its source sees it. */
export interface ViewRow {
  /** Everything the row's look depends on besides the viewport's generation: equal signatures keep the elements. */
  signature: string;
  /** False while some of its bytes are on their way. */
  loaded: boolean;
  /** The row's HTML, one `.hex-row` string per lane, appended to `out`; only called when the row is (re)built. */
  draw(out: string[]): void;
}

/** What the viewport shows. */
export interface RowSource {
  /** False until there is something to show (no image yet). */
  ready(): boolean;
  /** Bytes the view covers (the longer image of a comparison). */
  totalBytes(): number;
  /** Row `rowOffset` (`rowLength` bytes, short only at the end); asked once per visible row and render, in order. */
  row(rowOffset: number, rowLength: number): ViewRow;
  /** After each render: the rows on screen, and whether all of them have their bytes (prefetch, ready flags). */
  rendered?(firstRow: number, count: number, complete: boolean): void;
}

export interface ViewportElements {
  /** The scrolling element (a fixed height; its content is `rows` then `spacer`). */
  scroller: HTMLElement;
  /** Sticky at the top of the scroller; moved by the sub-row shift. */
  rows: HTMLElement;
  /** Gives the scrollbar its range. */
  spacer: HTMLElement;
  /** Where row elements go: `[rows]` for one view, one element per side for a comparison. */
  lanes: HTMLElement[];
}

export interface ViewportOptions {
  /**
   * `absolute`: every row element is placed by `top` (moving one re-lays out nothing else; the
   * lane's width must come from elsewhere, e.g. a header). `flow`: rows stay in document order.
   */
  placement: 'absolute' | 'flow';
  /** Called after a resize of the scroller has been laid out. */
  onResize?: () => void;
}

interface RowEntry {
  elements: HTMLElement[];
  signature: string;
}

export class HexViewport {
  /** The row at the top of the view. */
  firstRow = 0;
  private bytesPerRowValue = 16;
  /** Pixels the rows are moved up (unscaled scrolling between two rows). */
  private shift = 0;
  /** The scrollTop we set ourselves, to tell our scroll events from the user's. */
  private expectedScrollTop = -1;
  /** The animation frame a render is queued for, or 0. */
  private queuedFrame = 0;
  /** Bumped when every row must be rebuilt: new bytes or model, row width, marks that span rows. */
  private generation = 0;
  private rowElements = new Map<number, RowEntry>();
  private readonly template = document.createElement('template');

  constructor(
    private readonly elements: ViewportElements,
    private readonly source: RowSource,
    private readonly options: ViewportOptions,
  ) {
    const { scroller } = elements;
    scroller.addEventListener('scroll', () => this.onScroll());
    // A scaled scrollbar moves thousands of rows per pixel; the wheel scrolls by rows instead.
    scroller.addEventListener('wheel', (event: WheelEvent) => this.onWheel(event), { passive: false });
    new ResizeObserver(() => {
      if (!this.source.ready()) return;
      this.layout();
      this.options.onResize?.();
    }).observe(scroller);
  }

  get bytesPerRow(): number {
    return this.bytesPerRowValue;
  }

  /** A new row width: every row is rebuilt (call `layout` after the header changed). */
  set bytesPerRow(value: number) {
    if (value === this.bytesPerRowValue) return;
    this.bytesPerRowValue = value;
    this.invalidate();
  }

  totalRows(): number {
    return Math.max(1, Math.ceil(this.source.totalBytes() / this.bytesPerRowValue));
  }

  geometry(): ScrollGeometry {
    return { totalRows: this.totalRows(), rowHeight: ROW_HEIGHT, viewportHeight: Math.max(ROW_HEIGHT, this.elements.scroller.clientHeight) };
  }

  /** Bytes in a screen of whole rows (PageUp / PageDown). */
  pageBytes(): number {
    return fullRows(this.geometry()) * this.bytesPerRowValue;
  }

  /** Every row is rebuilt at the next render (its bytes, the model or a mark that spans rows changed). */
  invalidate(): void {
    this.generation++;
  }

  /** After the image size, the row width or the scroller's height changed: scroll range, position, a render. */
  layout(): void {
    const g = this.geometry();
    this.elements.spacer.style.height = `${contentHeight(g) - g.viewportHeight}px`; // CSSOM, allowed by the CSP
    this.firstRow = Math.min(this.firstRow, maxFirstRow(g));
    this.syncScrollTop();
    this.schedule();
  }

  /**
   * Scrolls as little as possible so the row of `offset` is visible; with `center` a row
   * out of view comes to the upper third. `force` rewrites the scroll position even when
   * the row is in view. Returns true (and schedules a render) when the view moved.
   */
  reveal(offset: number, center = false, force = false): boolean {
    const g = this.geometry();
    const row = Math.floor(offset / this.bytesPerRowValue);
    const next = revealRow(g, this.firstRow, row, center && (row < this.firstRow || row >= this.firstRow + fullRows(g)));
    if (next === this.firstRow && this.shift === 0 && !force) return false;
    this.firstRow = next;
    this.shift = 0;
    this.syncScrollTop();
    this.schedule();
    return true;
  }

  /** Jumps so that `offset` shows (a go-to): its row comes into view, in the upper third if it was not. */
  jumpTo(offset: number): void {
    this.reveal(offset, true);
  }

  /** A render at the next animation frame (several requests make one). */
  schedule(): void {
    if (this.queuedFrame) return;
    this.queuedFrame = requestAnimationFrame(() => {
      this.queuedFrame = 0;
      this.render();
    });
  }

  /** Renders now (a selection shows in the same turn as the click or key that made it); a queued render is dropped. */
  render(): void {
    if (this.queuedFrame) {
      cancelAnimationFrame(this.queuedFrame);
      this.queuedFrame = 0;
    }
    if (!this.source.ready()) return;
    const bytesPerRow = this.bytesPerRowValue;
    const g = this.geometry();
    const count = Math.min(renderedRows(g), this.totalRows() - this.firstRow);
    const size = this.source.totalBytes();
    const lanes = this.elements.lanes;
    const absolute = this.options.placement === 'absolute';
    let complete = true;
    const kept = new Map<number, RowEntry>();
    const order: RowEntry[] = [];
    const fresh: { index: number; rowOffset: number; entry: RowEntry }[] = [];
    const html: string[] = [];
    let shown = 0;
    for (let r = 0; r < count; r++) {
      const rowOffset = (this.firstRow + r) * bytesPerRow;
      if (rowOffset >= size) break;
      shown++;
      const row = this.source.row(rowOffset, Math.min(bytesPerRow, size - rowOffset));
      if (!row.loaded) complete = false;
      const signature = `${this.generation}|${row.signature}`;
      const existing = this.rowElements.get(rowOffset);
      if (existing && existing.signature === signature) {
        if (absolute) for (const element of existing.elements) placeRow(element, r);
        this.rowElements.delete(rowOffset);
        kept.set(rowOffset, existing);
        order.push(existing);
      } else {
        const entry: RowEntry = { elements: [], signature };
        row.draw(html);
        fresh.push({ index: r, rowOffset, entry });
        kept.set(rowOffset, entry);
        order.push(entry);
      }
    }
    for (const stale of this.rowElements.values()) for (const element of stale.elements) element.remove();
    if (fresh.length) {
      this.template.innerHTML = html.join('');
      const built = Array.from(this.template.content.children) as HTMLElement[];
      fresh.forEach((f, i) => {
        f.entry.elements = built.slice(i * lanes.length, (i + 1) * lanes.length);
        if (absolute) for (const element of f.entry.elements) placeRow(element, f.index);
      });
      if (absolute) lanes.forEach((lane, l) => lane.append(...fresh.map((f) => f.entry.elements[l]!)));
    }
    if (!absolute && fresh.length) {
      // Document order is row order: the kept rows are in order already, new ones go between them.
      lanes.forEach((lane, l) => {
        let next = lane.firstElementChild;
        for (const entry of order) {
          const element = entry.elements[l]!;
          if (element === next) next = next.nextElementSibling;
          else lane.insertBefore(element, next);
        }
      });
    }
    this.rowElements = kept;
    this.elements.rows.style.transform = this.shift ? `translateY(${-this.shift}px)` : '';
    this.source.rendered?.(this.firstRow, shown, complete);
  }

  private syncScrollTop(): void {
    const g = this.geometry();
    const scroller = this.elements.scroller;
    // Whole pixels: a fractional scrollTop (scaled content) snaps later, and that
    // scroll event would look like the user's and move us back to another row.
    scroller.scrollTop = Math.round(scrollTopForRow(g, this.firstRow) + (isScaled(g) ? 0 : this.shift));
    this.expectedScrollTop = scroller.scrollTop;
  }

  private onScroll(): void {
    const scroller = this.elements.scroller;
    // Our own scroll (Chromium may settle a set scrollTop a pixel off, e.g. to 0 for 1).
    if (Math.abs(scroller.scrollTop - this.expectedScrollTop) < 2) return;
    const position = rowForScrollTop(this.geometry(), scroller.scrollTop);
    this.firstRow = position.firstRow;
    this.shift = position.shift;
    this.expectedScrollTop = scroller.scrollTop;
    this.schedule();
  }

  private onWheel(event: WheelEvent): void {
    const g = this.geometry();
    if (!isScaled(g)) return;
    event.preventDefault();
    const rows =
      event.deltaMode === 1
        ? Math.round(event.deltaY) * 3
        : event.deltaMode === 2
          ? Math.sign(event.deltaY) * fullRows(g)
          : Math.round(event.deltaY / ROW_HEIGHT);
    if (rows === 0) return;
    this.firstRow = Math.min(maxFirstRow(g), Math.max(0, this.firstRow + rows));
    this.shift = 0;
    this.syncScrollTop();
    this.schedule();
  }
}

/** Puts a row element at visible row `index` (CSSOM, allowed by the CSP). */
function placeRow(element: HTMLElement, index: number): void {
  const top = `${index * ROW_HEIGHT}px`;
  if (element.style.top !== top) element.style.top = top;
}
