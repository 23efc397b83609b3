// A drag selection held past the top or bottom of the hex view scrolls the view
// by itself, faster the farther the pointer is, and the selection follows to the
// byte in the pointer's column (as in a text editor); beside the hex, at the
// height of a row, it follows to that row's nearest byte. The mouse button up,
// anywhere, ends it.
import type { HexViewport } from '../hex/viewport';
import { ROW_HEIGHT } from '../hex/viewport';

/** Rows a second at the edge, and more for every pixel the pointer is beyond it. */
const ROWS_PER_SECOND = 6;
const ROWS_PER_SECOND_PER_PX = 0.6;

export class DragScroll {
  private held = false;
  private x = 0;
  private y = 0;
  /** The frame the next step is queued for (0: none), the time of the last step, the fraction of a row owed. */
  private frame = 0;
  private last = 0;
  private owed = 0;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly viewport: () => HexViewport,
    private readonly totalBytes: () => number,
    /** The selection's moving end. */
    private readonly cursor: () => number,
    /** Byte under a point of the hex (a byte or ASCII cell), or null. */
    private readonly byteAt: (target: Element, clientX: number) => number | null,
    private readonly drag: (offset: number) => void,
  ) {
    window.addEventListener('mousemove', (event: MouseEvent) => {
      if (!this.held) return;
      if (!(event.buttons & 1)) return this.stop();
      this.x = event.clientX;
      this.y = event.clientY;
      if (this.beyond() !== 0) this.queue();
      else if (!(event.target as Element | null)?.closest?.('#hex .hex-byte, #hex .hex-char')) {
        // Beside the cells (the hex view takes moves over a cell): the row at the pointer's height, its nearest byte.
        const offset = this.columnOffset(this.y);
        if (offset !== null) this.drag(offset);
      }
    });
    window.addEventListener('mouseup', () => this.stop());
    window.addEventListener('blur', () => this.stop());
  }

  /** A press that may start a drag selection. */
  start(event: MouseEvent): void {
    this.held = true;
    this.x = event.clientX;
    this.y = event.clientY;
    this.owed = 0;
  }

  stop(): void {
    this.held = false;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  /** Pixels the pointer is above (negative) or below (positive) the rows, or 0 inside. */
  private beyond(): number {
    const box = this.scroller.getBoundingClientRect();
    return this.y < box.top ? this.y - box.top : this.y > box.bottom ? this.y - box.bottom : 0;
  }

  private queue(): void {
    if (this.frame) return;
    this.last = performance.now();
    this.frame = requestAnimationFrame((now) => this.step(now));
  }

  private step(now: number): void {
    this.frame = 0;
    const beyond = this.beyond();
    if (!this.held || beyond === 0) return;
    this.owed += (Math.max(0, now - this.last) / 1000) * (ROWS_PER_SECOND + Math.abs(beyond) * ROWS_PER_SECOND_PER_PX);
    this.last = now;
    const rows = Math.floor(this.owed);
    if (rows > 0) {
      this.owed -= rows;
      const view = this.viewport();
      const perRow = view.bytesPerRow;
      const fullRows = Math.max(1, Math.floor(view.pageBytes() / perRow));
      // `rows` rows past the edge row (or the cursor's, if it is already beyond), in the pointer's
      // column; the view scrolls as little as shows it.
      const cursorRow = Math.floor(this.cursor() / perRow);
      const row = beyond < 0 ? Math.min(cursorRow, view.firstRow) - rows : Math.max(cursorRow, view.firstRow + fullRows - 1) + rows;
      const box = this.scroller.getBoundingClientRect();
      const inRow = this.columnOffset(box.top + ROW_HEIGHT / 2);
      const column = inRow === null ? 0 : inRow % perRow;
      const target = Math.min(Math.max(0, this.totalBytes() - 1), Math.max(0, row * perRow + column));
      this.drag(target);
      view.reveal(target);
    }
    this.frame = requestAnimationFrame((t) => this.step(t));
  }

  /** The byte at the pointer's x (kept inside the rows) in the row drawn at height `y`; the row's first or last byte beside its cells. */
  private columnOffset(y: number): number | null {
    const box = this.scroller.getBoundingClientRect();
    const x = Math.min(Math.max(this.x, box.left + 1), box.right - 2);
    const target = document.elementFromPoint(x, Math.min(Math.max(y, box.top + 1), box.bottom - 2));
    const row = target?.closest<HTMLElement>('.hex-row');
    if (!target || !row?.dataset.offset) return null;
    const byte = this.byteAt(target, x);
    if (byte !== null) return byte;
    const first = Number(row.dataset.offset);
    const bytes = row.querySelector('.bytes')?.getBoundingClientRect();
    const last = Math.min(first + this.viewport().bytesPerRow, this.totalBytes()) - 1;
    return bytes && x < bytes.left ? first : last;
  }
}
