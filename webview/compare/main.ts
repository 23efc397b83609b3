// The comparison UI: two images A and B side by side. Structure: partitions
// (same / moved slot / changed / only in A / only in B), the copy-slots fix with
// its preview, and the header fields. Bytes: two hex views in one scroller (so
// they scroll together), differing bytes highlighted, next/previous difference
// (n / p, F7 / Shift+F7) over the host's whole-image scan. DOM only; it shows
// what the host sends and sends intents; the host validates every message.
// This file wires the panes (structurePane, hexPane, scan) to the host.
import './compare.css';
import type { CompareImageInfo, CompareInitMessage, FromCompareWebview, Side, ToCompareWebview } from '../../src/shared/protocol/compare';
import { MAX_READ_LENGTH, SIDES, assertNever } from '../../src/shared/protocol/compare';
import { PendingRequests } from '../../src/shared/protocol/common';
import { ByteCache } from '../byteCache';
import { button, el, fitPlaceholder, typingInField } from '../dom';
import { parseGoto } from '../gotoTarget';
import { cursorKeyTarget } from '../hex/cursorKeys';
import { stopAt } from './diffRanges';
import { CompareHexPane } from './hexPane';
import { ScanControl } from './scan';
import { createCompareState, totalBytes } from './state';
import { StructurePane } from './structurePane';
import { CompareMapsPane } from './mapsPane';
import { t } from '../l10n';
import type { StateApi } from '../savedState';
import { SavedState } from '../savedState';

interface VsCodeApi extends StateApi {
  postMessage(message: FromCompareWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: FromCompareWebview): void => vscode.postMessage(message);
/** What VS Code keeps for this panel across a reload: the two paths (for the host's serializer), the maps collapsed. */
const saved = new SavedState(vscode);
const state = createCompareState();
/** Reads in flight, by request id: which chunk to forget when one fails. */
const pendingReads = new PendingRequests<{ side: Side; offset: number }>();

const hex = new CompareHexPane(state);
const structure = new StructurePane(state, post);
const scan = new ScanControl(state, hex, post);
const maps = new CompareMapsPane({
  goToLba: (lba) => void gotoText(`lba:${lba}`),
  collapsed: () => saved.pane('maps').collapsed ?? false,
  setCollapsed: (collapsed) => saved.updatePane('maps', { collapsed }),
});

const titleA = el('span', { id: 'title-a', className: 'image-title side-a' });
const titleB = el('span', { id: 'title-b', className: 'image-title side-b' });
const gotoField = el('input', { id: 'goto' });
gotoField.placeholder = t('Go to: 0x200, 512, lba:34, end');
gotoField.setAttribute('aria-label', t('Go to offset or LBA'));
const notice = el('div', { id: 'notice' });
notice.hidden = true;
notice.setAttribute('role', 'status');
const toolbar = el(
  'div',
  { id: 'toolbar' },
  titleA,
  el('span', { className: 'vs', text: '↔' }),
  titleB,
  button('swap', t('Swap A ↔ B'), t('Make B the image a fix changes'), () => post({ type: 'swap' })),
  button('refresh', t('Refresh'), t('Read both images again'), () => post({ type: 'refresh' })),
  el('span', { className: 'sep' }),
  scan.scanButton,
  scan.cancelButton,
  scan.prevButton,
  scan.nextButton,
  gotoField,
  scan.status,
);
document.body.append(toolbar, notice, maps.element, el('div', { id: 'compare' }, structure.element, hex.element));
// The go-to field as wide as its whole hint (in this language and font).
void document.fonts?.ready.then(() => fitPlaceholder(gotoField, gotoField));

// ---- messages ----
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
      saved.update({ a: message.a.path, b: message.b.path }); // after a swap too
      break;
    case 'bytes': {
      pendingReads.settle(message.requestId);
      const data = message.data instanceof Uint8Array ? message.data : new Uint8Array(message.data as ArrayLike<number>);
      state.caches[message.side]?.put(message.offset, data);
      hex.viewport.schedule();
      break;
    }
    case 'scanProgress':
      scan.progress(message.done, message.total);
      break;
    case 'scanState':
      scan.stateChanged(message.state, message.summary, message.message);
      break;
    case 'error':
      if (message.requestId !== null) {
        const pending = pendingReads.settle(message.requestId);
        if (pending) state.caches[pending.side]?.failed(pending.offset);
      }
      hex.status.textContent = message.message;
      break;
    default:
      assertNever(message);
  }
}

function init(message: CompareInitMessage): void {
  state.a = message.a;
  state.b = message.b;
  hex.preference = message.settings.bytesPerRow;
  pendingReads.clear();
  for (const side of SIDES) {
    state.caches[side] = new ByteCache(message[side].sizeBytes, (offset, length) => {
      const requestId = pendingReads.issue({ side, offset });
      post({ type: 'readRange', requestId, side, offset, length: Math.min(length, MAX_READ_LENGTH) });
    });
  }
  setTitle(titleA, 'A', message.a);
  setTitle(titleB, 'B', message.b);
  notice.hidden = !message.notice;
  notice.textContent = message.notice ?? '';
  state.structure = message.structure;
  structure.render(message.fix);
  maps.render(message.maps);
  scan.reset(message.scan);
  state.cursor = Math.min(state.cursor, Math.max(0, totalBytes(state) - 1));
  hex.layout();
  document.body.dataset.initialized = 'true';
}

function setTitle(target: HTMLElement, letter: string, info: CompareImageInfo): void {
  target.textContent = `${letter}: ${info.name}`;
  target.title = `${info.path}\n${t('{0} bytes · {1} · {2}-byte sectors', info.sizeBytes.toLocaleString('en-US'), info.scheme.toUpperCase(), info.sectorSize)}${info.problem ? `\n${info.problem}` : ''}`;
}

// ---- go to ----
function gotoText(text: string): boolean {
  const query = parseGoto(text);
  const sector = state.a?.sectorSize ?? 512;
  const total = totalBytes(state);
  let offset: number | null = null;
  if (query.kind === 'offset') offset = query.offset;
  else if (query.kind === 'lba') offset = query.lba * sector;
  else if (query.kind === 'end') offset = Math.max(0, total - 1);
  if (offset === null || offset >= Math.max(1, total)) {
    hex.status.textContent = query.kind === 'invalid' ? query.reason : t('Go to: {0} is not an offset inside the images', text);
    return false;
  }
  state.cursor = offset;
  state.currentStop = stopAt(state.stops, offset);
  hex.viewport.jumpTo(offset);
  hex.viewport.schedule();
  hex.describeCursor();
  return true;
}

gotoField.addEventListener('keydown', (event: KeyboardEvent) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    if (gotoText(gotoField.value)) hex.element.focus();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    hex.element.focus();
  }
});

// ---- keys ----
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
    scan.navigate(event.shiftKey ? 'previous' : 'next');
    return;
  }
  if (typingInField(event) || ctrl || event.altKey) {
    if (!(ctrl && (event.key === 'Home' || event.key === 'End'))) return;
  }
  if (event.key === 'n') scan.navigate('next');
  else if (event.key === 'p' || (event.key === 'N' && event.shiftKey)) scan.navigate('previous');
  else {
    // The cursor keys move the cursor only while the hex views have the focus.
    if (document.activeElement !== hex.element) return;
    const next = cursorKeyTarget(event.key, ctrl, state.cursor, hex.bytesPerRow, hex.viewport.pageBytes(), Math.max(0, totalBytes(state) - 1));
    if (next === null) return;
    hex.moveCursor(next);
  }
  event.preventDefault();
});

post({ type: 'ready' });
