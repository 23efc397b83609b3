// The editor's selection: a cursor (the byte keys move) and an anchor; the bytes
// between them are selected unless the selection is collapsed to the cursor.
// Panes subscribe to changes. Pure: no DOM.

export interface SelectionChange {
  /** False when the change came from the tree (or selects its node itself): the tree keeps its item. */
  syncTree: boolean;
  /** Scroll the hex view: `jump` brings the anchor into view (upper third), `follow` the cursor (as little as possible). */
  reveal?: 'jump' | 'follow';
}

export class Selection {
  anchor = 0;
  cursor = 0;
  /** True when only a cursor is set (no bytes selected). */
  collapsed = true;
  /** The last byte offset (image size - 1); offsets are clamped to [0, last]. */
  last = 0;
  private readonly listeners: ((change: SelectionChange) => void)[] = [];

  /** First selected byte (or the cursor). */
  get lo(): number {
    return Math.min(this.anchor, this.cursor);
  }

  get hi(): number {
    return Math.max(this.anchor, this.cursor);
  }

  /** True when bytes are selected (not just a cursor). */
  get hasRange(): boolean {
    return !(this.anchor === this.cursor && this.collapsed);
  }

  /** Selected bytes; 0 for a bare cursor. */
  get length(): number {
    return this.collapsed ? 0 : this.hi - this.lo + 1;
  }

  contains(offset: number): boolean {
    return this.hasRange && offset >= this.lo && offset <= this.hi;
  }

  onChange(listener: (change: SelectionChange) => void): void {
    this.listeners.push(listener);
  }

  /** Selects [offset, offset + length) (a cursor at `offset` when length is 0). */
  setRange(offset: number, length: number, change: SelectionChange = { syncTree: true }): void {
    this.anchor = this.clamp(offset);
    this.cursor = this.clamp(Math.max(this.anchor, offset + Math.max(1, length) - 1));
    this.collapsed = length <= 0;
    this.changed(change);
  }

  /** Selects the bytes from `from` to `to` (both included, either order; the cursor goes to `to`). */
  selectBytes(from: number, to: number): void {
    this.anchor = this.clamp(from);
    this.cursor = this.clamp(to);
    this.collapsed = false;
    this.changed({ syncTree: true });
  }

  /** Moves the cursor, keeping the anchor (Shift+click). */
  extendTo(offset: number): void {
    this.cursor = this.clamp(offset);
    this.collapsed = false;
    this.changed({ syncTree: true });
  }

  /** Moves the cursor; `extend` keeps the anchor (Shift), else the selection collapses to the cursor. */
  moveCursor(offset: number, extend: boolean): void {
    this.cursor = this.clamp(offset);
    if (extend) this.collapsed = false;
    else {
      this.anchor = this.cursor;
      this.collapsed = true;
    }
    this.changed({ syncTree: true, reveal: 'follow' });
  }

  private clamp(offset: number): number {
    return Math.min(this.last, Math.max(0, offset));
  }

  private changed(change: SelectionChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
