// The comparison UI: two images A and B side by side. Structure: partitions
// (same / moved slot / changed / only in A / only in B), the copy-slots fix with
// its preview, and the header fields. Bytes: two hex views in one scroller (so
// they scroll together), differing bytes highlighted, next/previous difference
// (n / p, F7 / Shift+F7) over the host's whole-image scan. DOM only; it shows
// what the host sends and sends intents; the host validates every message.
import './compare.css';
import type { CompareImageInfo, CompareInitMessage, FixOffer, FromCompareWebview, RangeView, ScanSummary, Side, StructureDiffView as StructureView, ToCompareWebview } from '../../src/shared/protocol/compare';
import { MAX_READ_LENGTH as MAX_COMPARE_READ, assertNever } from '../../src/shared/protocol/compare';
import { escapeHtml } from '../../src/shared/html';
import { ByteCache } from '../byteCache';
import { parseGoto } from '../gotoTarget';
import type { ScrollGeometry } from '../virtualScroll';
import { contentHeight, fullRows, isScaled, maxFirstRow, renderedRows, revealRow, rowForScrollTop, scrollTopForRow } from '../virtualScroll';
import { cellState, describeScan, navigationStops, nextStop, overlapsStop, previousStop, stopAt } from './diffRanges';

interface VsCodeApi {
  postMessage(message: FromCompareWebview): void;
  /** What VS Code keeps for this panel across a reload: the two paths, for the host's serializer. */
  setState(state: { a: string; b: string }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const ROW_HEIGHT = 20;

// ---- state ----
let infoA: CompareImageInfo | null = null;
let infoB: CompareImageInfo | null = null;
let bytesPerRow = 16;
const caches: Record<Side, ByteCache | null> = { a: null, b: null };
const pendingReads = new Map<number, { side: Side; offset: number }>();
let nextRequestId = 1;
let firstRow = 0;
let shift = 0;
let cursor = 0;
let expectedScrollTop = -1;
let renderQueued = false;
let scan: ScanSummary | null = null;
let stops: RangeView[] = [];
let currentStop = -1;
let scanRunning = false;
/** Set when n / p was pressed before any scan: go there once the scan is done. */
let pendingNavigation: 'next' | 'previous' | null = null;
let showEqualHeaders = false;
let structure: StructureView | null = null;

// ---- DOM skeleton ----
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { id?: string; className?: string; text?: string; title?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.id) node.id = props.id;
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  node.append(...children);
  return node;
}

function button(id: string, text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { id, text, title });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

const titleA = el('span', { id: 'title-a', className: 'image-title side-a' });
const titleB = el('span', { id: 'title-b', className: 'image-title side-b' });
const swapButton = button('swap', 'Swap A ↔ B', 'Make B the image a fix changes', () => post({ type: 'swap' }));
const refreshButton = button('refresh', 'Refresh', 'Read both images again', () => post({ type: 'refresh' }));
const scanButton = button('scan', 'Scan all bytes', 'Compare both whole images byte for byte (progress and cancel in a notification)', () => startScan());
const cancelButton = button('cancel-scan', 'Cancel', 'Stop the byte scan', () => post({ type: 'cancelScan' }));
cancelButton.hidden = true;
const prevButton = button('prev-diff', '◀ Previous', 'Previous difference (p or Shift+F7)', () => navigate('previous'));
const nextButton = button('next-diff', 'Next ▶', 'Next difference (n or F7)', () => navigate('next'));
const gotoField = el('input', { id: 'goto' });
gotoField.placeholder = 'Go to: 0x200, 512, lba:34, end';
gotoField.setAttribute('aria-label', 'Go to offset or LBA');
const scanStatus = el('span', { id: 'scan-status', text: 'Bytes not scanned yet.' });
scanStatus.setAttribute('role', 'status');
const notice = el('div', { id: 'notice' });
notice.hidden = true;
notice.setAttribute('role', 'status');

const partitionsBody = el('tbody');
const partitionsTable = el('table', { id: 'partitions' }, el('thead', {}, row('th', ['Partition', 'Status', 'Slot in A', 'Slot in B', 'Details'])), partitionsBody);
const partitionsSummary = el('div', { id: 'partitions-summary', className: 'summary' });
const fixBox = el('div', { id: 'fix' });
const headersBody = el('tbody');
const headersTable = el('table', { id: 'headers' }, el('thead', {}, row('th', ['Field', 'A', 'B'])), headersBody);
const showEqual = el('input', { id: 'show-equal' });
showEqual.type = 'checkbox';
showEqual.addEventListener('change', () => {
  showEqualHeaders = showEqual.checked;
  renderHeaders();
});
const headersSummary = el('span', { id: 'headers-summary', className: 'summary' });
const structurePane = el(
  'div',
  { id: 'structure-pane' },
  el('div', { id: 'structure-main' }, el('div', { className: 'section-title', text: 'Partitions' }), partitionsSummary, partitionsTable, el('div', { className: 'section-title', text: 'Fix' }), fixBox),
  el('div', { id: 'structure-headers' }, el('div', { className: 'section-title', text: 'Headers' }), el('label', { className: 'toggle' }, showEqual, ' show equal fields '), headersSummary, headersTable),
);

const hexHeader = el('div', { id: 'hex-header' });
const hexA = el('div', { id: 'hex-a', className: 'hex-pane' });
const hexB = el('div', { id: 'hex-b', className: 'hex-pane' });
const hexRows = el('div', { id: 'hex-rows' }, hexA, hexB);
const hexSpacer = el('div', { id: 'hex-spacer' });
const hexScroller = el('div', { id: 'hex-scroller' }, hexRows, hexSpacer);
const hexStatus = el('div', { id: 'hex-status' });
const bytesPane = el('div', { id: 'bytes-pane' }, hexHeader, hexScroller, hexStatus);
bytesPane.tabIndex = 0;
bytesPane.setAttribute('role', 'grid');
bytesPane.setAttribute('aria-label', 'Byte comparison: A on the left, B on the right');

const toolbar = el('div', { id: 'toolbar' }, titleA, el('span', { className: 'vs', text: '↔' }), titleB, swapButton, refreshButton, el('span', { className: 'sep' }), scanButton, cancelButton, prevButton, nextButton, gotoField, scanStatus);
const root = el('div', { id: 'compare' }, structurePane, bytesPane);
document.body.append(toolbar, notice, root);

function row(cell: 'th' | 'td', texts: string[]): HTMLTableRowElement {
  return el('tr', {}, ...texts.map((t) => el(cell, { text: t })));
}

// ---- messages ----
function post(message: FromCompareWebview): void {
  vscode.postMessage(message);
}

window.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as { type?: unknown } | null;
  if (!data || typeof data.type !== 'string') return;
  if (data.type === 'test:goto') {
    // Test-only hook (like the editor's): behaves like the go-to field.
    const offset = (data as { offset?: unknown }).offset;
    if (typeof offset === 'number' || typeof offset === 'string') gotoText(String(offset));
    return;
  }
  handle(data as ToCompareWebview);
});

function handle(message: ToCompareWebview): void {
  switch (message.type) {
    case 'init':
      init(message);
      vscode.setState({ a: message.a.path, b: message.b.path }); // after a swap too
      break;
    case 'bytes': {
      pendingReads.delete(message.requestId);
      const data = message.data instanceof Uint8Array ? message.data : new Uint8Array(message.data as ArrayLike<number>);
      caches[message.side]?.put(message.offset, data);
      scheduleRender();
      break;
    }
    case 'scanProgress':
      scanRunning = true;
      scanStatus.textContent = `Scanning… ${message.total > 0 ? Math.floor((message.done / message.total) * 100) : 100}% (${formatSize(message.done)} of ${formatSize(message.total)})`;
      break;
    case 'scanState':
      scanRunning = message.state === 'running';
      cancelButton.hidden = !scanRunning;
      scanButton.disabled = scanRunning;
      document.body.dataset.scan = message.state;
      if (message.state === 'running') scanStatus.textContent = 'Scanning…';
      else if (message.state === 'done' && message.summary) setScan(message.summary);
      else {
        scanStatus.textContent = message.message ?? message.state;
        pendingNavigation = null;
      }
      break;
    case 'error':
      if (message.requestId !== null) {
        const pending = pendingReads.get(message.requestId);
        pendingReads.delete(message.requestId);
        if (pending) caches[pending.side]?.failed(pending.offset);
      }
      hexStatus.textContent = message.message;
      break;
    default:
      assertNever(message);
  }
}

function init(message: CompareInitMessage): void {
  infoA = message.a;
  infoB = message.b;
  bytesPerRow = message.settings.bytesPerRow;
  pendingReads.clear();
  for (const side of ['a', 'b'] as const) {
    const info = message[side];
    caches[side] = new ByteCache(info.sizeBytes, (offset, length) => {
      const requestId = nextRequestId++;
      pendingReads.set(requestId, { side, offset });
      post({ type: 'readRange', requestId, side, offset, length: Math.min(length, MAX_COMPARE_READ) });
    });
  }
  setTitle(titleA, 'A', message.a);
  setTitle(titleB, 'B', message.b);
  notice.hidden = !message.notice;
  notice.textContent = message.notice ?? '';
  structure = message.structure;
  renderPartitions();
  renderFix(message.fix);
  renderHeaders();
  scan = null;
  stops = [];
  currentStop = -1;
  if (message.scan) setScan(message.scan);
  else {
    scanStatus.textContent = 'Bytes not scanned yet: Scan all bytes, or press n.';
    document.body.dataset.scan = 'idle';
  }
  cursor = Math.min(cursor, Math.max(0, totalBytes() - 1));
  layoutHex();
  scheduleRender();
  document.body.dataset.initialized = 'true';
}

function setTitle(target: HTMLElement, letter: string, info: CompareImageInfo): void {
  target.textContent = `${letter}: ${info.name}`;
  target.title = `${info.path}\n${info.sizeBytes.toLocaleString('en-US')} bytes · ${info.scheme.toUpperCase()} · ${info.sectorSize}-byte sectors${info.problem ? `\n${info.problem}` : ''}`;
}

// ---- structure ----
const STATUS_TEXT: Record<string, string> = { same: 'same', 'moved-slot': 'moved slot', changed: 'changed', 'only-a': 'only in A', 'only-b': 'only in B' };

function renderPartitions(): void {
  partitionsBody.replaceChildren();
  if (!structure) {
    partitionsSummary.textContent = `No structural comparison: ${[infoA, infoB].filter((i) => i?.problem).map((i) => `${i!.name} ${i!.problem}`).join('; ') || 'an image could not be parsed'}. The bytes still compare below.`;
    partitionsTable.hidden = true;
    return;
  }
  partitionsTable.hidden = false;
  const counts = new Map<string, number>();
  for (const p of structure.partitions) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
  partitionsSummary.textContent = structure.identical
    ? 'The partition structures are identical.'
    : [...counts].map(([status, n]) => `${n} ${STATUS_TEXT[status] ?? status}`).join(' · ');
  for (const p of structure.partitions) {
    const details = p.status === 'moved-slot' || p.status === 'only-a' || p.status === 'only-b' ? p.summary : p.changes.map((c) => `${c.field}: ${c.a ?? '—'} → ${c.b ?? '—'}`).join('; ') || '—';
    const tr = el(
      'tr',
      { className: `partition status-${p.status}`, title: `${p.summary}${p.uuid ? `\nGUID ${p.uuid}` : ''}` },
      el('td', { className: 'label', text: p.label }),
      el('td', {}, el('span', { className: `status-badge status-${p.status}`, text: STATUS_TEXT[p.status] ?? p.status })),
      el('td', { className: 'slot', text: p.slotA === null ? '—' : String(p.slotA) }),
      el('td', { className: 'slot', text: p.slotB === null ? '—' : String(p.slotB) }),
      el('td', { className: 'details', text: details }),
    );
    tr.dataset.status = p.status;
    tr.dataset.label = p.label;
    partitionsBody.append(tr);
  }
}

function renderHeaders(): void {
  headersBody.replaceChildren();
  if (!structure) {
    headersSummary.textContent = '';
    headersTable.hidden = true;
    return;
  }
  headersTable.hidden = false;
  const differing = structure.headers.filter((h) => !h.equal).length;
  headersSummary.textContent = differing === 0 ? `All ${structure.headers.length} fields are equal.` : `${differing} of ${structure.headers.length} fields differ.`;
  for (const h of structure.headers) {
    if (h.equal && !showEqualHeaders) continue;
    const tr = el('tr', { className: `header-field${h.equal ? ' equal' : ' differs'}` }, el('td', { className: 'field', text: h.field }), el('td', { className: 'value side-a', text: h.a ?? '—' }), el('td', { className: 'value side-b', text: h.b ?? '—' }));
    tr.dataset.field = h.field;
    tr.dataset.equal = String(h.equal);
    headersBody.append(tr);
  }
  headersTable.hidden = headersBody.childElementCount === 0;
}

function renderFix(fix: FixOffer): void {
  fixBox.replaceChildren();
  fixBox.dataset.available = String(fix.available);
  if (!fix.available) {
    fixBox.append(el('div', { className: 'fix-unavailable', text: `${fix.id}: does not apply: ${fix.reason}` }));
    return;
  }
  const apply = button('apply-fix', 'Copy slots from B into A…', 'Writes to A after a confirmation; the old bytes go to an undo journal', () => post({ type: 'applyFix', fixId: fix.id }));
  if (fix.readOnlyReason) {
    apply.disabled = true;
    apply.title = fix.readOnlyReason;
  }
  const patches = el('tbody');
  for (const p of fix.patches) {
    patches.append(
      el(
        'tr',
        { className: 'patch' },
        el('td', { text: p.what }),
        el('td', { className: 'num', text: `LBA ${p.lba}` }),
        el('td', { className: 'num', text: `0x${p.offset.toString(16).toUpperCase()}` }),
        el('td', { className: 'num', text: String(p.length) }),
        el('td', { className: 'bytes before', text: p.before }),
        el('td', { className: 'bytes after', text: p.after }),
      ),
    );
  }
  const preview = el('details', { id: 'fix-preview' }, el('summary', { text: `Preview: ${fix.patches.length} patches, ${fix.sectorsTouched} sectors of A` }), el('table', { className: 'patches' }, el('thead', {}, row('th', ['Where', 'LBA', 'Offset', 'Bytes', 'Before', 'After'])), patches));
  fixBox.append(el('div', { className: 'fix-title' }, el('code', { text: fix.id }), ` ${fix.title}`), el('p', { id: 'fix-description', text: fix.description }), preview, apply);
  if (fix.readOnlyReason) fixBox.append(el('div', { className: 'fix-unavailable', text: fix.readOnlyReason }));
}

// ---- scan and navigation ----
function startScan(): void {
  if (scanRunning) return;
  scanRunning = true;
  scanButton.disabled = true;
  scanStatus.textContent = 'Scanning…';
  post({ type: 'startScan' });
}

function setScan(summary: ScanSummary): void {
  scan = summary;
  stops = navigationStops(summary);
  currentStop = stopAt(stops, cursor);
  scanStatus.textContent = describeScan(summary);
  document.body.dataset.scan = 'done';
  document.body.dataset.differences = String(stops.length);
  const then = pendingNavigation;
  pendingNavigation = null;
  if (then) navigate(then);
  scheduleRender();
}

function navigate(direction: 'next' | 'previous'): void {
  if (!scan) {
    pendingNavigation = direction;
    startScan();
    return;
  }
  if (stops.length === 0) {
    hexStatus.textContent = 'No differences.';
    return;
  }
  let index = direction === 'next' ? nextStop(stops, cursor) : previousStop(stops, cursor);
  let wrapped = false;
  if (index < 0) {
    index = direction === 'next' ? 0 : stops.length - 1;
    wrapped = true;
  }
  currentStop = index;
  const stop = stops[index]!;
  cursor = stop.offset;
  reveal(cursor, true);
  const isTail = scan.tail !== null && index === stops.length - 1 && stop.offset === scan.tail.offset;
  hexStatus.textContent = `${isTail ? `Only in ${scan.tail!.in.toUpperCase()}` : `Difference ${index + 1} of ${stops.length}${scan.truncated ? '+' : ''}`} at 0x${stop.offset.toString(16).toUpperCase()} (${stop.length.toLocaleString('en-US')} byte${stop.length === 1 ? '' : 's'})${wrapped ? ' · wrapped around' : ''}`;
  scheduleRender();
}

// ---- hex ----
function totalBytes(): number {
  return Math.max(infoA?.sizeBytes ?? 0, infoB?.sizeBytes ?? 0);
}

function totalRows(): number {
  return Math.max(1, Math.ceil(totalBytes() / bytesPerRow));
}

function geometry(): ScrollGeometry {
  return { totalRows: totalRows(), rowHeight: ROW_HEIGHT, viewportHeight: Math.max(ROW_HEIGHT, hexScroller.clientHeight) };
}

let offsetDigits = 8;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

function layoutHex(): void {
  const g = geometry();
  offsetDigits = Math.max(8, Math.max(0, totalBytes() - 1).toString(16).length);
  hexSpacer.style.height = `${contentHeight(g) - g.viewportHeight}px`; // CSSOM, allowed by the CSP
  const columns: string[] = [];
  for (let i = 0; i < bytesPerRow; i++) columns.push(`<span class="col">${HEX[i]}</span>`);
  const paneHeader = (letter: string, info: CompareImageInfo | null): string => `<div class="hex-line"><span class="off">${'Offset'.padEnd(offsetDigits + 2, ' ')}</span><span class="bytes">${columns.join('')}</span><span class="ascii">${letter}: ${escapeHtml(info?.name ?? '')}</span></div>`;
  hexHeader.innerHTML = paneHeader('A', infoA) + paneHeader('B', infoB);
  firstRow = Math.min(firstRow, maxFirstRow(g));
  syncScrollTop();
  scheduleRender();
}

function syncScrollTop(): void {
  const g = geometry();
  // Whole pixels: a fractional scrollTop (scaled content) snaps later, and that
  // scroll event would look like the user's and move us back to another row.
  hexScroller.scrollTop = Math.round(scrollTopForRow(g, firstRow) + (isScaled(g) ? 0 : shift));
  expectedScrollTop = hexScroller.scrollTop;
}

hexScroller.addEventListener('scroll', () => {
  // Our own scroll (Chromium may settle a set scrollTop a pixel off, e.g. to 0 for 1).
  if (Math.abs(hexScroller.scrollTop - expectedScrollTop) < 2) return;
  const position = rowForScrollTop(geometry(), hexScroller.scrollTop);
  firstRow = position.firstRow;
  shift = position.shift;
  expectedScrollTop = hexScroller.scrollTop;
  scheduleRender();
});

hexScroller.addEventListener(
  'wheel',
  (event: WheelEvent) => {
    const g = geometry();
    if (!isScaled(g)) return;
    event.preventDefault();
    const rows = event.deltaMode === 1 ? Math.round(event.deltaY) * 3 : event.deltaMode === 2 ? Math.sign(event.deltaY) * fullRows(g) : Math.round(event.deltaY / ROW_HEIGHT);
    if (rows === 0) return;
    firstRow = Math.min(maxFirstRow(g), Math.max(0, firstRow + rows));
    shift = 0;
    syncScrollTop();
    scheduleRender();
  },
  { passive: false },
);

new ResizeObserver(() => {
  if (infoA) layoutHex();
}).observe(hexScroller);

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderRows();
  });
}

/** Bytes of one row of one side: a value, undefined (loading) or null (past that image's end). */
function rowValues(side: Side, rowOffset: number): (number | null | undefined)[] {
  const info = side === 'a' ? infoA : infoB;
  const cache = caches[side];
  const size = info?.sizeBytes ?? 0;
  const out: (number | null | undefined)[] = new Array(bytesPerRow);
  const present = Math.max(0, Math.min(bytesPerRow, size - rowOffset));
  const data = present > 0 && cache ? cache.range(rowOffset, present) : null;
  for (let i = 0; i < bytesPerRow; i++) out[i] = i >= present ? null : data ? data[i]! : undefined;
  return out;
}

function renderRows(): void {
  if (!infoA || !infoB) return;
  const g = geometry();
  const count = Math.min(renderedRows(g), totalRows() - firstRow);
  const current = currentStop >= 0 ? stops[currentStop] : undefined;
  const html: Record<Side, string[]> = { a: [], b: [] };
  let complete = true;
  let differingRows = 0;
  for (let r = 0; r < count; r++) {
    const rowOffset = (firstRow + r) * bytesPerRow;
    if (rowOffset >= totalBytes()) break;
    const values: Record<Side, (number | null | undefined)[]> = { a: rowValues('a', rowOffset), b: rowValues('b', rowOffset) };
    const inScan = overlapsStop(stops, rowOffset, bytesPerRow);
    let rowDiffers = false;
    const cells: Record<Side, string[]> = { a: [], b: [] };
    const ascii: Record<Side, string> = { a: '', b: '' };
    for (const side of ['a', 'b'] as const) {
      const mine = values[side];
      const theirs = values[side === 'a' ? 'b' : 'a'];
      for (let i = 0; i < bytesPerRow; i++) {
        const offset = rowOffset + i;
        const state = cellState(mine[i], theirs[i]);
        if (state === 'loading') complete = false;
        if (state === 'diff' || state === 'only') rowDiffers = true;
        let cls = `hex-byte ${state}`;
        if (current && offset >= current.offset && offset < current.offset + current.length) cls += ' current';
        if (offset === cursor) cls += ' cursor';
        const v = mine[i];
        cells[side].push(`<span class="${cls}" data-offset="${offset}">${v === null ? '  ' : v === undefined ? '··' : HEX[v]}</span>`);
        ascii[side] += v === null || v === undefined ? ' ' : v >= 0x20 && v < 0x7f ? escapeHtml(String.fromCharCode(v)) : '.';
      }
    }
    if (rowDiffers || inScan) differingRows++;
    const loading = values.a.some((v) => v === undefined) || values.b.some((v) => v === undefined);
    for (const side of ['a', 'b'] as const) {
      const rowClass = `hex-row${loading ? ' loading' : ''}${rowDiffers || inScan ? ' has-diff' : ''}`;
      html[side].push(`<div class="${rowClass}" data-offset="${rowOffset}"><span class="off">0x${rowOffset.toString(16).toUpperCase().padStart(offsetDigits, '0')}</span><span class="bytes">${cells[side].join('')}</span><span class="ascii">${ascii[side]}</span></div>`);
    }
  }
  hexA.innerHTML = html.a.join('');
  hexB.innerHTML = html.b.join('');
  hexRows.style.transform = shift ? `translateY(${-shift}px)` : '';
  const screenBytes = count * bytesPerRow;
  for (const side of ['a', 'b'] as const) {
    caches[side]?.want(Math.max(0, firstRow * bytesPerRow - screenBytes), screenBytes);
    caches[side]?.want((firstRow + count) * bytesPerRow, screenBytes);
  }
  document.body.dataset.visibleDiffRows = String(differingRows);
  document.body.dataset.firstRow = String(firstRow);
  if (complete && count > 0) document.body.dataset.ready = 'true';
}

function reveal(offset: number, center: boolean): void {
  const g = geometry();
  const r = Math.floor(offset / bytesPerRow);
  const next = revealRow(g, firstRow, r, center && (r < firstRow || r >= firstRow + fullRows(g)));
  if (next !== firstRow || shift !== 0) {
    firstRow = next;
    shift = 0;
    syncScrollTop();
  }
  scheduleRender();
}

function moveCursor(to: number): void {
  cursor = Math.min(Math.max(0, totalBytes() - 1), Math.max(0, to));
  currentStop = stopAt(stops, cursor);
  reveal(cursor, false);
  describeCursor();
}

function describeCursor(): void {
  const info = infoA ?? infoB;
  if (!info) return;
  hexStatus.textContent = `0x${cursor.toString(16).toUpperCase()} (${cursor}) · LBA ${Math.floor(cursor / info.sectorSize)} + ${cursor % info.sectorSize}`;
}

hexRows.addEventListener('mousedown', (event: MouseEvent) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('.hex-byte');
  if (!target?.dataset.offset) return;
  event.preventDefault();
  bytesPane.focus();
  moveCursor(Number(target.dataset.offset));
});

function gotoText(text: string): boolean {
  const query = parseGoto(text);
  const sector = infoA?.sectorSize ?? 512;
  let offset: number | null = null;
  if (query.kind === 'offset') offset = query.offset;
  else if (query.kind === 'lba') offset = query.lba * sector;
  else if (query.kind === 'end') offset = Math.max(0, totalBytes() - 1);
  if (offset === null || offset >= Math.max(1, totalBytes())) {
    hexStatus.textContent = query.kind === 'invalid' ? query.reason : `Go to: ${text} is not an offset inside the images`;
    return false;
  }
  cursor = offset;
  currentStop = stopAt(stops, cursor);
  reveal(cursor, true);
  describeCursor();
  return true;
}

gotoField.addEventListener('keydown', (event: KeyboardEvent) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    if (gotoText(gotoField.value)) bytesPane.focus();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    bytesPane.focus();
  }
});

function typingInField(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  return !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
}

window.addEventListener('keydown', (event: KeyboardEvent) => {
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && (event.key === 'g' || event.key === 'G')) {
    event.preventDefault();
    gotoField.focus();
    gotoField.select();
    return;
  }
  if (event.key === 'F7') {
    event.preventDefault();
    navigate(event.shiftKey ? 'previous' : 'next');
    return;
  }
  if (typingInField(event) || ctrl || event.altKey) {
    if (!(ctrl && (event.key === 'Home' || event.key === 'End'))) return;
  }
  const page = fullRows(geometry()) * bytesPerRow;
  switch (event.key) {
    case 'n':
      navigate('next');
      break;
    case 'p':
      navigate('previous');
      break;
    case 'N':
      if (!event.shiftKey) return;
      navigate('previous');
      break;
    case 'ArrowLeft':
      if (document.activeElement !== bytesPane) return;
      moveCursor(cursor - 1);
      break;
    case 'ArrowRight':
      if (document.activeElement !== bytesPane) return;
      moveCursor(cursor + 1);
      break;
    case 'ArrowUp':
      if (document.activeElement !== bytesPane) return;
      moveCursor(cursor - bytesPerRow);
      break;
    case 'ArrowDown':
      if (document.activeElement !== bytesPane) return;
      moveCursor(cursor + bytesPerRow);
      break;
    case 'PageUp':
      if (document.activeElement !== bytesPane) return;
      moveCursor(cursor - page);
      break;
    case 'PageDown':
      if (document.activeElement !== bytesPane) return;
      moveCursor(cursor + page);
      break;
    case 'Home':
      if (document.activeElement !== bytesPane) return;
      moveCursor(ctrl ? 0 : cursor - (cursor % bytesPerRow));
      break;
    case 'End':
      if (document.activeElement !== bytesPane) return;
      moveCursor(ctrl ? totalBytes() - 1 : cursor - (cursor % bytesPerRow) + bytesPerRow - 1);
      break;
    default:
      return;
  }
  event.preventDefault();
});

function formatSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

post({ type: 'ready' });
