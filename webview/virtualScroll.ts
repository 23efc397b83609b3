// Virtual scrolling math for the hex view: a fixed-height scroller whose
// content height stands for every row of the image. Browsers cap an element's
// height (Chromium about 2^25 px, Firefox about 2^24), and a 2 TiB image at 16
// bytes per row is 2^37 rows, so above MAX_SCROLL_HEIGHT the scroll position is
// scaled: the thumb maps linearly onto row numbers. Pure: no DOM.

/** Tallest scroll content we create; below every browser's limit. */
export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface ScrollGeometry {
  totalRows: number;
  rowHeight: number;
  viewportHeight: number;
}

/** Rows that fit completely in the viewport (at least 1). */
export function fullRows(g: ScrollGeometry): number {
  return Math.max(1, Math.floor(g.viewportHeight / g.rowHeight));
}

/** Rows to render so the viewport is always covered (one partial row at the bottom). */
export function renderedRows(g: ScrollGeometry): number {
  return Math.max(1, Math.ceil(g.viewportHeight / g.rowHeight) + 1);
}

/** The highest row that may be the first visible one. */
export function maxFirstRow(g: ScrollGeometry): number {
  return Math.max(0, g.totalRows - fullRows(g));
}

/** True when the content height is scaled down to MAX_SCROLL_HEIGHT. */
export function isScaled(g: ScrollGeometry): boolean {
  return g.totalRows * g.rowHeight > MAX_SCROLL_HEIGHT;
}

/** Height of the scroll content. */
export function contentHeight(g: ScrollGeometry): number {
  return Math.max(g.viewportHeight, Math.min(g.totalRows * g.rowHeight, MAX_SCROLL_HEIGHT));
}

/** First visible row and the pixel shift of the rows for a scrollTop. */
export function rowForScrollTop(g: ScrollGeometry, scrollTop: number): { firstRow: number; shift: number } {
  const last = maxFirstRow(g);
  if (!isScaled(g)) {
    const top = Math.max(0, scrollTop);
    const firstRow = Math.min(last, Math.floor(top / g.rowHeight));
    return { firstRow, shift: firstRow === last ? 0 : top - firstRow * g.rowHeight };
  }
  const range = contentHeight(g) - g.viewportHeight;
  if (range <= 0) return { firstRow: 0, shift: 0 };
  const fraction = Math.min(1, Math.max(0, scrollTop / range));
  return { firstRow: Math.min(last, Math.round(fraction * last)), shift: 0 };
}

/** scrollTop that shows `row` as the first visible row. */
export function scrollTopForRow(g: ScrollGeometry, row: number): number {
  const last = maxFirstRow(g);
  const clamped = Math.min(last, Math.max(0, Math.floor(row)));
  if (!isScaled(g)) return clamped * g.rowHeight;
  const range = contentHeight(g) - g.viewportHeight;
  return last === 0 ? 0 : (clamped / last) * range;
}

/** The first row to show so that `row` is visible, moving as little as possible from `firstRow`. */
export function revealRow(g: ScrollGeometry, firstRow: number, row: number, center = false): number {
  const visible = fullRows(g);
  if (center) return Math.min(maxFirstRow(g), Math.max(0, row - Math.floor(visible / 3)));
  if (row < firstRow) return row;
  if (row >= firstRow + visible) return Math.min(maxFirstRow(g), row - visible + 1);
  return firstRow;
}
