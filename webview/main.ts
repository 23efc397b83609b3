// The disk image editor's UI: structure tree, findings, virtualized annotated
// hex view, go-to and data inspector. DOM only, no framework: a few
// @vscode-elements components plus plain elements. It shows what the host sends
// and asks for bytes as rows scroll into view; it never imports vscode or host code.
import '@vscode-elements/elements/dist/vscode-tree/index.js';
import '@vscode-elements/elements/dist/vscode-tree-item/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './main.css';
import type { EditState, FieldSpan, FindingView, FixPreview, FromWebview, ImageInfo, InitMessage, ToWebview, TreeNode, UpdateMessage } from '../src/shared/protocol/editor';
import { EMBEDDED_INIT_ID, MAX_COPY_LENGTH, MAX_CRC_LENGTH, MAX_READ_LENGTH, assertNever, decodeEmbeddedInit } from '../src/shared/protocol/editor';
import { escapeHtml } from './html';
import { ByteCache, CHUNK_SIZE } from './byteCache';
import { parseGoto, resolveGoto } from './gotoTarget';
import { crc32, formatCrc, inspect } from './inspector';
import { firstSpanFrom, spanAt } from './spanIndex';
import type { ScrollGeometry } from './virtualScroll';
import { contentHeight, fullRows, isScaled, maxFirstRow, renderedRows, revealRow, rowForScrollTop, scrollTopForRow } from './virtualScroll';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

performance.mark('diskx-start');
const vscode = acquireVsCodeApi();
const ROW_HEIGHT = 20;

// ---- state ----
let image: ImageInfo | null = null;
let tree: TreeNode[] = [];
let spans: FieldSpan[] = [];
let findings: FindingView[] = [];
let edits: EditState | null = null;
/** The changed byte ranges (sorted) of the fix being previewed, highlighted in the hex view. */
let previewRanges: { offset: number; length: number }[] = [];
let bytesPerRow = 16;
let cache: ByteCache | null = null;
let firstRow = 0;
let shift = 0;
let anchor = 0;
let cursor = 0;
let expectedScrollTop = -1;
/** True when only a cursor is set (no bytes selected). */
let selectionCollapsed = true;
let nextRequestId = 1;
let crcRequestId = 0;
let renderQueued = false;
let inspectorQueued = false;
const pendingReads = new Map<number, number>();
const nodesById = new Map<string, TreeNode>();
const itemsById = new Map<string, HTMLElement>();
/** Child node id to parent node id, for every node (built or not). */
const parentById = new Map<string, string>();

// ---- DOM skeleton ----
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { id?: string; className?: string; text?: string } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.id) node.id = props.id;
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

const gotoField = document.createElement('vscode-textfield');
gotoField.id = 'goto';
gotoField.setAttribute('placeholder', 'Go to: 0x200, 512, lba:34, 34s, HeaderCRC32  (Ctrl+G)');
gotoField.setAttribute('aria-label', 'Go to offset, LBA or field');
const gotoError = el('span', { id: 'goto-error' });
const statusLine = el('span', { id: 'status' });
const structure = document.createElement('vscode-tree');
structure.id = 'structure';
structure.setAttribute('indent-guides', 'onHover');
const findingsList = el('ul', { id: 'findings' });
const hexHeader = el('div', { id: 'hex-header', className: 'hex-line' });
const hexRows = el('div', { id: 'hex-rows' });
const hexSpacer = el('div', { id: 'hex-spacer' });
const hexScroller = el('div', { id: 'hex-scroller' }, hexRows, hexSpacer);
const hex = el('div', { id: 'hex' }, hexHeader, hexScroller);
hex.tabIndex = 0;
hex.setAttribute('role', 'grid');
hex.setAttribute('aria-label', 'Annotated hex view');
const inspectorTable = el('table', { id: 'inspector-table' });
const selectionInfo = el('div', { id: 'selection-info' });
const inspector = el('div', { id: 'inspector' }, el('div', { className: 'section-title', text: 'Data inspector' }), selectionInfo, inspectorTable);
// Findings first: they are what a user opens a broken image for, and their fix buttons live there.
const side = el('div', { id: 'side' }, el('div', { className: 'section-title', text: 'Findings' }), findingsList, el('div', { className: 'section-title', text: 'Structure' }), structure);
const editsLine = el('span', { id: 'edits' });
const toolbar = el('div', { id: 'toolbar' }, gotoField, gotoError, statusLine, editsLine);
const previewPanel = el('section', { id: 'fix-preview' });
previewPanel.hidden = true;
previewPanel.setAttribute('aria-label', 'Fix preview');
const main = el('div', { id: 'main' }, side, hex, inspector);
document.body.append(toolbar, previewPanel, main);

// ---- messages ----
function post(message: FromWebview): void {
  vscode.postMessage(message);
}

window.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as { type?: unknown } | null;
  if (!data || typeof data.type !== 'string') return;
  if (data.type === 'test:goto') {
    // Test-only hook (the DOM contract): behaves like Ctrl+G with an offset.
    const offset = (data as { offset?: unknown }).offset;
    if (typeof offset === 'number') gotoText(String(offset));
    else if (typeof offset === 'string') gotoText(offset);
    return;
  }
  // Anything else that reaches the window (extensions' or tools' messages) is not ours: ignore it quietly.
  if (!HOST_MESSAGE_TYPES.has(data.type)) return;
  handle(data as ToWebview);
});

const HOST_MESSAGE_TYPES = new Set<string>(['init', 'update', 'bytes', 'crc', 'settings', 'fixPreview', 'error'] satisfies ToWebview['type'][]);

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'init':
      init(message);
      break;
    case 'update':
      update(message);
      break;
    case 'fixPreview':
      showPreview(message.preview);
      break;
    case 'bytes':
      pendingReads.delete(message.requestId);
      cache?.put(message.offset, message.data instanceof Uint8Array ? message.data : new Uint8Array(message.data as ArrayLike<number>));
      scheduleRender();
      scheduleInspector();
      break;
    case 'crc':
      if (message.requestId === crcRequestId) {
        crcResult = { key: `${message.offset}:${message.length}`, text: `${formatCrc(message.crc)} (${message.length} bytes)` };
        crcPendingKey = '';
        setCrc(crcResult.text);
      }
      break;
    case 'settings':
      setAutoSave(message.settings.autoSave ?? false);
      if (message.settings.bytesPerRow !== bytesPerRow) {
        bytesPerRow = message.settings.bytesPerRow;
        layoutHex();
        reveal(cursor, false, true);
      }
      break;
    case 'error':
      if (message.requestId !== null) {
        // A failed read: forget the pending chunk so a later render can retry it.
        const offset = pendingReads.get(message.requestId);
        pendingReads.delete(message.requestId);
        if (offset !== undefined) cache?.failed(offset);
      }
      statusLine.textContent = message.message;
      if (message.requestId === null) previewError(message.message);
      break;
    default:
      assertNever(message);
  }
}

function init(message: InitMessage): void {
  performance.mark('diskx-init');
  image = message.image;
  tree = message.tree;
  spans = message.spans;
  findings = message.findings;
  bytesPerRow = message.settings.bytesPerRow;
  setAutoSave(message.settings.autoSave ?? false);
  freshCache(message.head);
  showBanner(message.banner);
  setEdits(message.edits);
  renderTree();
  renderFindings();
  performance.mark('diskx-tree');
  layoutHex();
  select(0, 0, false);
  scheduleRender();
}

/** A new byte cache (the bytes may have changed) primed with the image's first bytes. */
function freshCache(headData: Uint8Array): void {
  if (!image) return;
  invalidateRows();
  const size = image.sizeBytes;
  pendingReads.clear();
  cache = new ByteCache(size, (offset, length) => {
    const requestId = nextRequestId++;
    pendingReads.set(requestId, offset);
    post({ type: 'readRange', requestId, offset, length: Math.min(length, MAX_READ_LENGTH) });
  });
  const head = headData instanceof Uint8Array ? headData : new Uint8Array(headData as ArrayLike<number>);
  for (let offset = 0; offset < head.length; offset += CHUNK_SIZE) {
    // Whole chunks only, unless it is the image's last (short) chunk.
    const end = Math.min(head.length, offset + CHUNK_SIZE);
    if (end - offset === CHUNK_SIZE || end === size) cache.put(offset, head.slice(offset, end));
  }
}

function showBanner(text: string | null): void {
  document.getElementById('banner')?.remove();
  if (text) {
    const banner = el('div', { id: 'banner', text });
    banner.setAttribute('role', 'alert');
    document.body.insertBefore(banner, toolbar);
  }
}

/** The document changed (edit, undo, redo, save, revert): new model and bytes, same place in the view. */
function update(message: UpdateMessage): void {
  image = message.image;
  tree = message.tree;
  spans = message.spans;
  findings = message.findings;
  freshCache(message.head);
  showBanner(message.banner);
  setEdits(message.edits);
  hidePreview();
  renderTree();
  renderFindings();
  if (message.notice) statusLine.textContent = message.notice;
  const span = spanAt(spans, cursor);
  selectTreeItem(span?.nodeId);
  scheduleRender();
  scheduleInspector();
}

/** VS Code's auto save is on for this image: an applied fix is written at once (the host asks first). */
let autoSave = false;
function setAutoSave(on: boolean): void {
  autoSave = on;
  document.body.dataset.autoSave = String(on);
  const note = previewPanel.querySelector('.save-note');
  if (note) note.textContent = saveNote();
}

/** What Apply leads to, for the preview's summary line. */
function saveNote(): string {
  return autoSave ? 'auto save is on: Apply asks, then it is written at once.' : 'nothing is written until you save.';
}

function setEdits(state: EditState): void {
  edits = state;
  document.body.dataset.dirty = String(state.dirty);
  editsLine.classList.toggle('dirty', state.dirty);
  editsLine.textContent = state.dirty ? `● Unsaved repairs (${state.pending}): Ctrl+S writes them, Ctrl+Z undoes` : state.applied.length ? 'Repairs saved' : '';
  editsLine.title = state.applied.length ? `Edits: ${state.applied.join(', ')}${state.saveNeedsConfirmation ? `\nSaving asks first: ${state.saveNeedsConfirmation}` : ''}` : '';
}

// ---- structure tree ----
// Only the items a user can see are built: a closed branch holds one placeholder
// item (so it shows its twistie) until it is opened. A tree item is a web
// component with its own shadow DOM, and an image has hundreds of fields.
function renderTree(): void {
  nodesById.clear();
  itemsById.clear();
  parentById.clear();
  const index = (node: TreeNode, parent: string | null): void => {
    nodesById.set(node.id, node);
    if (parent !== null) parentById.set(node.id, parent);
    for (const child of node.children ?? []) index(child, node.id);
  };
  for (const node of tree) index(node, null);
  structure.replaceChildren(...tree.map(treeItem));
  if (tree.length === 0) structure.append(infoItem('No structures: the bytes are shown as plain hex.'));
}

function infoItem(text: string): HTMLElement {
  const item = document.createElement('vscode-tree-item');
  item.dataset.nodeId = 'none';
  item.append(el('span', { className: 'label', text }));
  return item;
}

function treeItem(node: TreeNode): HTMLElement {
  const item = document.createElement('vscode-tree-item');
  item.dataset.nodeId = node.id;
  itemsById.set(node.id, item);
  const label = el('span', { className: 'label', text: node.label });
  item.append(label);
  if (node.value !== undefined) item.append(document.createTextNode(' '), el('span', { className: `value${node.kind ? ` k-${node.kind}` : ''}`, text: node.value }));
  if (node.description) {
    const description = el('span', { className: 'description', text: node.description });
    description.slot = 'description';
    item.append(description);
  }
  item.title = [node.label, node.value, node.description, node.length > 0 ? `bytes 0x${node.offset.toString(16)}..0x${(node.offset + node.length - 1).toString(16)} (${node.length})` : ''].filter(Boolean).join('\n');
  if (node.findings?.length) {
    const worst = worstSeverity(node.findings);
    const badge = document.createElement('vscode-badge');
    badge.setAttribute('variant', 'counter');
    badge.className = `finding-badge sev-${worst}`;
    badge.slot = 'decoration';
    badge.textContent = String(node.findings.length);
    badge.title = node.findings.join(', ');
    item.append(badge);
    item.classList.add('has-finding');
  }
  if (node.children?.length) {
    if (node.open) {
      item.setAttribute('open', '');
      for (const child of node.children) item.append(treeItem(child));
    } else {
      const placeholder = document.createElement('vscode-tree-item');
      placeholder.dataset.placeholder = 'true';
      placeholder.append(el('span', { className: 'label', text: '…' }));
      item.append(placeholder);
    }
  }
  return item;
}

/** Builds the child items of a branch that still holds its placeholder. */
function materialize(item: HTMLElement): void {
  const placeholder = item.querySelector(':scope > vscode-tree-item[data-placeholder]');
  const node = item.dataset.nodeId ? nodesById.get(item.dataset.nodeId) : undefined;
  if (!placeholder || !node?.children) return;
  placeholder.replaceWith(...node.children.map(treeItem));
}

// A branch opened by click, keyboard or selectTreeItem gets its children built before the next paint.
new MutationObserver((records) => {
  for (const record of records) {
    const target = record.target as HTMLElement;
    if (target.tagName === 'VSCODE-TREE-ITEM' && target.hasAttribute('open')) materialize(target);
  }
}).observe(structure, { subtree: true, attributes: true, attributeFilter: ['open'] });

function worstSeverity(codes: string[]): string {
  const severities = new Set(findings.filter((f) => codes.includes(f.code)).map((f) => f.severity));
  return severities.has('error') ? 'error' : severities.has('warning') ? 'warning' : 'info';
}

structure.addEventListener('vsc-tree-select', (event: Event) => {
  const detail = (event as CustomEvent<unknown>).detail;
  const items = (Array.isArray(detail) ? detail : ((detail as { selectedItems?: unknown[] } | null)?.selectedItems ?? [])) as HTMLElement[];
  const id = items[0]?.dataset.nodeId;
  const node = id ? nodesById.get(id) : undefined;
  if (node && node.length > 0) select(node.offset, node.length, true, false);
});

/** Marks the tree item of `nodeId` selected and scrolls it into view (opening its ancestors). */
function selectTreeItem(nodeId: string | undefined): void {
  for (const item of structure.querySelectorAll('vscode-tree-item')) {
    const treeItemElement = item as HTMLElement & { selected: boolean };
    if (treeItemElement.selected && treeItemElement.dataset.nodeId !== nodeId) treeItemElement.selected = false;
  }
  if (!nodeId) return;
  // Build the items down to the node first: its ancestors may never have been opened.
  const ancestors: string[] = [];
  for (let id = parentById.get(nodeId); id !== undefined; id = parentById.get(id)) ancestors.unshift(id);
  for (const id of ancestors) {
    const ancestor = itemsById.get(id);
    if (ancestor) materialize(ancestor);
  }
  const item = itemsById.get(nodeId) as (HTMLElement & { selected: boolean; open: boolean }) | undefined;
  if (!item) return;
  for (let parent = item.parentElement; parent && parent !== structure; parent = parent.parentElement) {
    if (parent.tagName === 'VSCODE-TREE-ITEM') (parent as HTMLElement & { open: boolean }).open = true;
  }
  item.selected = true;
  // An item built just now has no height until its component renders.
  const rendered = (item as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
  if (rendered) void rendered.then(() => item.scrollIntoView({ block: 'nearest' }));
  else item.scrollIntoView({ block: 'nearest' });
}

// ---- findings ----
function renderFindings(): void {
  findingsList.replaceChildren();
  if (findings.length === 0) {
    findingsList.append(el('li', { className: 'no-findings', text: image?.scheme === 'plain' ? 'Not parsed.' : 'No problems found.' }));
    return;
  }
  for (const finding of findings) {
    const severity = el('span', { className: 'severity', text: finding.severity });
    const item = el('li', { className: `finding sev-${finding.severity}` }, severity, el('span', { className: 'code', text: finding.code }), el('span', { className: 'message', text: finding.message }));
    item.dataset.code = finding.code;
    if (finding.nodeId) item.dataset.nodeId = finding.nodeId;
    item.tabIndex = 0;
    const node = finding.nodeId ? nodesById.get(finding.nodeId) : undefined;
    item.title = `${node ? `${node.label} · ` : ''}bytes 0x${finding.offset.toString(16).toUpperCase()} +${finding.length}`;
    const go = (): void => {
      // The finding's bytes, and the tree node it belongs to.
      select(finding.offset, Math.max(1, finding.length), true, false);
      selectTreeItem(finding.nodeId ?? spanAt(spans, finding.offset)?.nodeId);
    };
    item.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('button')) return;
      go();
    });
    item.addEventListener('keydown', (e) => {
      if ((e.target as HTMLElement).closest('button')) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        go();
      }
    });
    if (finding.actions.length > 0) {
      const actions = el('div', { className: 'fix-actions' });
      for (const action of finding.actions) {
        const button = el('button', { className: 'fix', text: action.label });
        button.type = 'button';
        button.dataset.fixId = action.id;
        const reason = action.reason ?? edits?.blocked ?? null;
        if (reason) {
          button.disabled = true;
          button.title = `Does not apply: ${reason}`;
          actions.append(button, el('span', { className: 'fix-reason', text: `${action.label}: ${reason}` }));
        } else {
          button.title = `Preview "${action.label}" before applying it`;
          button.addEventListener('click', () => post({ type: 'previewFix', fixId: action.id }));
          actions.append(button);
        }
      }
      item.append(actions);
    }
    findingsList.append(item);
  }
}

// ---- fix preview ----
function showPreview(next: FixPreview): void {
  previewPanel.replaceChildren();
  previewPanel.hidden = false;
  previewPanel.dataset.fixId = next.fixId;
  const title = el('div', { className: 'preview-title', text: next.ok ? `Preview: ${next.label}` : `${next.label}: does not apply` });
  if (!next.ok) {
    previewRanges = [];
    invalidateRows();
    previewPanel.classList.add('refused');
    const cancel = el('button', { id: 'fix-cancel', text: 'Close' });
    cancel.type = 'button';
    cancel.addEventListener('click', hidePreview);
    previewPanel.append(title, el('div', { className: 'preview-reason', text: next.reason }), el('div', { className: 'preview-buttons' }, cancel));
    scheduleRender();
    return;
  }
  previewPanel.classList.remove('refused');
  previewRanges = next.changed;
  invalidateRows();
  const summary = el('div', { className: 'preview-summary', text: `${next.title}: ${next.bytesChanged} byte${next.bytesChanged === 1 ? '' : 's'} change in ${next.sectorsTouched} sector${next.sectorsTouched === 1 ? '' : 's'}; ` }, el('span', { className: 'save-note', text: saveNote() }));
  const description = el('div', { className: 'preview-description', text: next.description });
  const table = el('table', { className: 'preview-patches' });
  table.append(el('tr', {}, el('th', { text: 'Where' }), el('th', { text: 'Fields' }), el('th', { text: 'Before' }), el('th', { text: 'After' })));
  for (const patch of [...next.patches].sort((x, y) => x.offset - y.offset)) {
    const first = patch.changes[0];
    for (const [i, change] of patch.changes.entries()) {
      const row = el('tr', { className: 'preview-patch' });
      row.dataset.offset = String(change.offset);
      const where = el('td', { className: 'where', text: `0x${change.offset.toString(16).toUpperCase()} (LBA ${Math.floor(change.offset / (image?.sectorSize ?? 512))}) +${change.length}` });
      const fields = el('td', { className: 'fields', text: i === 0 ? patch.fields.join(', ') : '' });
      row.append(where, fields, el('td', { className: 'before', text: change.before }), el('td', { className: 'after', text: change.after }));
      row.addEventListener('click', () => select(change.offset, change.length, true));
      table.append(row);
    }
    if (patch.moreChanges > 0) table.append(el('tr', {}, el('td', { text: '' }), el('td', { text: `… ${patch.moreChanges} more changed run(s) in this patch (highlighted in the hex view)` })));
    if (!first) table.append(el('tr', {}, el('td', { text: `0x${patch.offset.toString(16)}` }), el('td', { text: patch.fields.join(', ') }), el('td', { text: 'no byte changes' })));
  }
  const apply = el('button', { id: 'fix-apply', text: 'Apply' });
  apply.type = 'button';
  apply.title = 'Make this fix an unsaved edit (undo with Ctrl+Z, write with Ctrl+S)';
  const cancel = el('button', { id: 'fix-cancel', className: 'secondary', text: 'Cancel' });
  cancel.type = 'button';
  if (edits?.blocked) {
    apply.disabled = true;
    apply.title = edits.blocked;
  }
  apply.addEventListener('click', () => {
    apply.disabled = true;
    post({ type: 'applyFix', fixId: next.fixId });
  });
  cancel.addEventListener('click', hidePreview);
  // Apply / Cancel next to the title: always in sight, however long the list of changes.
  previewPanel.append(el('div', { className: 'preview-head' }, title, el('div', { className: 'preview-buttons' }, apply, cancel)), summary, description, table);
  const firstChange = next.changed[0];
  if (firstChange) select(firstChange.offset, firstChange.length, true);
  scheduleRender();
}

function hidePreview(): void {
  previewRanges = [];
  invalidateRows();
  previewPanel.hidden = true;
  previewPanel.replaceChildren();
  delete previewPanel.dataset.fixId;
  scheduleRender();
}

function previewError(text: string): void {
  if (previewPanel.hidden) return;
  const apply = previewPanel.querySelector<HTMLButtonElement>('#fix-apply');
  if (apply) apply.disabled = false;
  previewPanel.querySelector('.preview-error')?.remove();
  previewPanel.append(el('div', { className: 'preview-error', text }));
}

/** Binary search in the sorted preview ranges. */
function inPreview(offset: number): boolean {
  let lo = 0;
  let hi = previewRanges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = previewRanges[mid]!;
    if (offset < range.offset) hi = mid - 1;
    else if (offset >= range.offset + range.length) lo = mid + 1;
    else return true;
  }
  return false;
}

window.addEventListener('keydown', (event: KeyboardEvent) => {
  if (event.key === 'Escape' && !previewPanel.hidden) hidePreview();
});

// ---- hex view ----
function totalRows(): number {
  return image ? Math.max(1, Math.ceil(image.sizeBytes / bytesPerRow)) : 1;
}

function geometry(): ScrollGeometry {
  return { totalRows: totalRows(), rowHeight: ROW_HEIGHT, viewportHeight: Math.max(ROW_HEIGHT, hexScroller.clientHeight) };
}

let offsetDigits = 8;
/** The byte under the mouse (hex or ASCII cell): both cells carry the class `hover`. */
let hoverOffset = -1;


function layoutHex(): void {
  const g = geometry();
  offsetDigits = Math.max(8, ((image?.sizeBytes ?? 1) - 1).toString(16).length);
  invalidateRows();
  const lbaDigits = String(Math.max(0, Math.floor(((image?.sizeBytes ?? 1) - 1) / (image?.sectorSize ?? 512)))).length;
  hex.style.setProperty('--lba-width', `${lbaDigits + 5}ch`); // CSSOM, not a style attribute: allowed by the CSP
  hex.style.setProperty('--bytes-per-row', String(bytesPerRow));
  hexSpacer.style.height = `${contentHeight(g) - g.viewportHeight}px`;
  hex.classList.toggle('wide', bytesPerRow === 32);
  const columns: string[] = [];
  for (let i = 0; i < bytesPerRow; i++) columns.push(`<span class="col">${i.toString(16).toUpperCase().padStart(2, '0')}</span>`);
  hexHeader.innerHTML = `<span class="off">${'Offset'.padEnd(offsetDigits + 2, ' ')}</span><span class="lba">LBA</span><span class="bytes">${columns.join('')}</span><span class="ascii">ASCII</span>`;
  firstRow = Math.min(firstRow, maxFirstRow(g));
  syncScrollTop();
  scheduleRender();
  fitPanes();
}

// Narrowest tree and inspector beside the hex (the grid minimums in main.css).
const SIDE_MIN = 200;
const INSPECTOR_MIN = 170;

/** Moves the inspector under the hex when tree + whole hex (ASCII included) + inspector do not fit side by side. */
function fitPanes(): void {
  const ascii = hexHeader.querySelector<HTMLElement>('.ascii');
  if (!ascii) return;
  // The header's last column ends where the rows' ASCII column ends; add its margin and the scrollbar.
  const hexNeeds = ascii.getBoundingClientRect().right - hexHeader.getBoundingClientRect().left + 8 + (hexScroller.offsetWidth - hexScroller.clientWidth) + 2;
  const stacked = main.clientWidth < SIDE_MIN + hexNeeds + INSPECTOR_MIN;
  if (main.classList.contains('stacked') !== stacked) main.classList.toggle('stacked', stacked);
}

function syncScrollTop(): void {
  const g = geometry();
  hexScroller.scrollTop = scrollTopForRow(g, firstRow) + (isScaled(g) ? 0 : shift);
  expectedScrollTop = hexScroller.scrollTop;
}

hexScroller.addEventListener('scroll', () => {
  if (Math.abs(hexScroller.scrollTop - expectedScrollTop) < 1) return; // our own scroll
  const position = rowForScrollTop(geometry(), hexScroller.scrollTop);
  firstRow = position.firstRow;
  shift = position.shift;
  expectedScrollTop = hexScroller.scrollTop;
  scheduleRender();
});

// A scaled scrollbar moves thousands of rows per pixel; the wheel scrolls by rows instead.
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
  if (image) layoutHex();
}).observe(hexScroller);
new ResizeObserver(() => fitPanes()).observe(main);

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderRows();
  });
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

// Rows are recycled: each visible row keeps its element while what it shows (bytes
// loaded, selection, cursor, hover and preview within it) is unchanged; scrolling
// only builds the rows that come into view and moves the others (absolutely placed,
// so moving one re-lays out nothing else). A screen is over a thousand cells, so
// building only the new rows is most of a scroll frame's work saved.
interface RowEntry {
  element: HTMLElement;
  signature: string;
}
let rowElements = new Map<number, RowEntry>();
/** Bumped when every row must be rebuilt: new bytes or model, row width, preview. */
let rowsGeneration = 0;
const rowTemplate = document.createElement('template');

function invalidateRows(): void {
  rowsGeneration++;
}

function rowHtml(rowOffset: number, rowLength: number, data: Uint8Array | null, selLo: number, selHi: number, hasSelection: boolean): string {
  const sectorSize = image!.sectorSize;
  const lba = rowOffset % sectorSize === 0 ? `LBA ${rowOffset / sectorSize}` : '';
  const parts: string[] = [`<div class="hex-row${data ? '' : ' loading'}" data-offset="${rowOffset}"><span class="off">0x${rowOffset.toString(16).toUpperCase().padStart(offsetDigits, '0')}</span><span class="lba">${lba}</span><span class="bytes">`];
  // Both columns are runs of bytes that look alike: one element per run, not per byte (a
  // screen would otherwise be over a thousand elements to lay out on every scroll). A hex
  // run never crosses a field, an 8-byte group or a change of selection, cursor, hover or
  // preview; it carries its first offset and length, and the pointer maps x to a byte.
  const ascii: string[] = [];
  let runClass = '';
  let runStart = rowOffset;
  let runText = '';
  const flushRun = () => {
    if (runText) ascii.push(`<span class="${runClass}" data-offset="${runStart}" data-length="${runText.length}">${escapeHtml(runText)}</span>`);
  };
  let hexClass = '';
  let hexMarks = '';
  let hexSpan: FieldSpan | undefined;
  let hexStart = rowOffset;
  let hexText: string[] = [];
  const flushHex = () => {
    if (hexText.length) parts.push(`<span class="${hexClass}${hexMarks}" data-offset="${hexStart}" data-length="${hexText.length}"${hexSpan ? ` title="${escapeHtml(hexSpan.name)}"` : ''}>${hexText.join(' ')}</span>`);
  };
  let spanIndex = firstSpanFrom(spans, rowOffset);
  for (let i = 0; i < rowLength; i++) {
    const offset = rowOffset + i;
    while (spanIndex < spans.length && spans[spanIndex]!.offset + spans[spanIndex]!.length <= offset) spanIndex++;
    const span = spanIndex < spans.length && spans[spanIndex]!.offset <= offset ? spans[spanIndex] : undefined;
    const selected = hasSelection && offset >= selLo && offset <= selHi;
    let state = '';
    if (selected) state += ' selected';
    if (previewRanges.length && inPreview(offset)) state += ' preview';
    if (offset === cursor) state += ' cursor';
    if (offset === hoverOffset) state += ' hover';
    const cls = `hex-byte${span ? ` k-${span.kind}` : ''}${state}`;
    const value = data ? data[i]! : -1;
    if (cls !== hexClass || span !== hexSpan || i % 8 === 0 || (span && offset === span.offset)) {
      flushHex();
      hexSpan = span;
      hexStart = offset;
      hexText = [];
      hexClass = cls;
      // Where a field starts (a rule on the left) and where an 8-byte group starts (a gap).
      hexMarks = `${span && offset === span.offset ? ' span-start' : ''}${i > 0 && i % 8 === 0 ? ' group-start' : ''}`;
    }
    hexText.push(value < 0 ? '··' : HEX[value]!);
    // The ASCII column mirrors the byte: same offset, selection, cursor and hover.
    let charCls = 'hex-char';
    if (selected) charCls += ' selected';
    if (offset === cursor) charCls += ' cursor';
    if (offset === hoverOffset) charCls += ' hover';
    if (charCls !== runClass) {
      flushRun();
      runClass = charCls;
      runStart = offset;
      runText = '';
    }
    runText += value < 0 ? ' ' : value >= 0x20 && value < 0x7f ? String.fromCharCode(value) : '.';
  }
  flushHex();
  flushRun();
  parts.push(`</span><span class="ascii">${ascii.join('')}</span></div>`);
  return parts.join('');
}

function renderRows(): void {
  if (!image || !cache) return;
  const g = geometry();
  const count = Math.min(renderedRows(g), totalRows() - firstRow);
  const size = image.sizeBytes;
  const selLo = Math.min(anchor, cursor);
  const selHi = Math.max(anchor, cursor);
  const hasSelection = !(anchor === cursor && selectionCollapsed);
  let complete = true;
  const kept = new Map<number, RowEntry>();
  const fresh: { index: number; rowOffset: number; signature: string; html: string }[] = [];
  for (let r = 0; r < count; r++) {
    const rowOffset = (firstRow + r) * bytesPerRow;
    if (rowOffset >= size) break;
    const rowLength = Math.min(bytesPerRow, size - rowOffset);
    const rowEnd = rowOffset + rowLength - 1;
    const data = cache.range(rowOffset, rowLength);
    if (!data) complete = false;
    const selected = hasSelection && selHi >= rowOffset && selLo <= rowEnd ? `${Math.max(selLo, rowOffset)}-${Math.min(selHi, rowEnd)}` : '';
    const at = (offset: number) => (offset >= rowOffset && offset <= rowEnd ? offset : -1);
    const signature = `${rowsGeneration}|${data ? 1 : 0}|${selected}|${at(cursor)}|${at(hoverOffset)}`;
    const existing = rowElements.get(rowOffset);
    if (existing && existing.signature === signature) {
      placeRow(existing.element, r);
      kept.set(rowOffset, existing);
      rowElements.delete(rowOffset);
    } else {
      fresh.push({ index: r, rowOffset, signature, html: rowHtml(rowOffset, rowLength, data, selLo, selHi, hasSelection) });
    }
  }
  for (const stale of rowElements.values()) stale.element.remove();
  if (fresh.length) {
    rowTemplate.innerHTML = fresh.map((f) => f.html).join('');
    const elements = Array.from(rowTemplate.content.children) as HTMLElement[];
    elements.forEach((element, i) => {
      placeRow(element, fresh[i]!.index);
      kept.set(fresh[i]!.rowOffset, { element, signature: fresh[i]!.signature });
    });
    hexRows.append(...elements);
  }
  rowElements = kept;
  hexRows.style.transform = shift ? `translateY(${-shift}px)` : '';
  // Prefetch the next screen in both directions so PageUp/PageDown stay instant.
  const screenBytes = count * bytesPerRow;
  cache.want(Math.max(0, firstRow * bytesPerRow - screenBytes), screenBytes);
  cache.want((firstRow + count) * bytesPerRow, screenBytes);
  if (complete && count > 0 && document.body.dataset.ready !== 'true') {
    document.body.dataset.ready = 'true';
    performance.mark('diskx-ready'); // for benchmarks: navigation start to first tree + hex paint
  }
}

/** Puts a row element at visible row `index` (CSSOM, allowed by the CSP). */
function placeRow(element: HTMLElement, index: number): void {
  const top = `${index * ROW_HEIGHT}px`;
  if (element.style.top !== top) element.style.top = top;
}

// ---- selection, cursor, reveal ----

/** Selects [offset, offset+length) (a cursor when length is 0) and optionally scrolls to it. */
function select(offset: number, length: number, scroll: boolean, syncTree = true): void {
  if (!image) return;
  const last = Math.max(0, image.sizeBytes - 1);
  anchor = Math.min(last, Math.max(0, offset));
  cursor = Math.min(last, Math.max(anchor, offset + Math.max(1, length) - 1));
  selectionCollapsed = length <= 0;
  if (scroll) reveal(anchor, true);
  afterSelection(syncTree);
}

function afterSelection(syncTree: boolean): void {
  const span = spanAt(spans, cursor);
  if (syncTree) selectTreeItem(span?.nodeId);
  describeCursor();
  // Painted at once (not on the next frame): the selection shows in the same turn as the click or key.
  renderRows();
  scheduleInspector();
  const lo = Math.min(anchor, cursor);
  post({ type: 'selection', offset: lo, length: selectionCollapsed ? 0 : Math.abs(cursor - anchor) + 1 });
}

function describeCursor(hoverOffset?: number): void {
  if (!image) return;
  const at = hoverOffset ?? cursor;
  const span = spanAt(spans, at);
  const lba = Math.floor(at / image.sectorSize);
  const where = `0x${at.toString(16).toUpperCase()} (${at}) · LBA ${lba} + ${at % image.sectorSize}`;
  statusLine.textContent = span ? `${where} · ${span.name}` : where;
}

function reveal(offset: number, center: boolean, force = false): void {
  const g = geometry();
  const row = Math.floor(offset / bytesPerRow);
  const next = revealRow(g, firstRow, row, center && (row < firstRow || row >= firstRow + fullRows(g)));
  if (next !== firstRow || shift !== 0 || force) {
    firstRow = next;
    shift = 0;
    syncScrollTop();
  }
}

/** Hover is drawn by the row renderer (a row's signature includes it), so only the rows it leaves and enters are rebuilt. */
function setHover(offset: number): void {
  if (offset === hoverOffset) return;
  hoverOffset = offset;
  scheduleRender();
}

/** The byte under the mouse: a hex cell is one byte; an ASCII run maps the x position to its character. */
function offsetAtPointer(event: MouseEvent): number | null {
  const target = (event.target as HTMLElement).closest<HTMLElement>('.hex-byte, .hex-char');
  if (!target?.dataset.offset) return null;
  const start = Number(target.dataset.offset);
  const length = Number(target.dataset.length ?? 1);
  if (!(length > 1)) return start;
  const rect = target.getBoundingClientRect();
  const index = Math.floor(((event.clientX - rect.left) / Math.max(1, rect.width)) * length);
  return start + Math.min(length - 1, Math.max(0, index));
}

hex.addEventListener('mousedown', (event: MouseEvent) => {
  const offset = offsetAtPointer(event);
  if (offset === null) return;
  event.preventDefault();
  hex.focus();
  if (event.shiftKey) {
    cursor = offset;
    selectionCollapsed = false;
    afterSelection(true);
  } else {
    // A click selects the byte's whole field, as naming it implies; plain bytes select one byte.
    const span = spanAt(spans, offset);
    if (span && event.detail < 2) {
      anchor = span.offset;
      cursor = span.offset + span.length - 1;
      selectionCollapsed = false;
      afterSelection(true);
    } else {
      anchor = cursor = offset;
      selectionCollapsed = false;
      afterSelection(true);
    }
  }
});

// mousemove, not mouseover: moving along an ASCII run stays on one element.
hex.addEventListener('mousemove', (event: MouseEvent) => {
  const offset = offsetAtPointer(event);
  if (offset === hoverOffset) return;
  setHover(offset ?? -1);
  if (offset !== null) describeCursor(offset);
});
hex.addEventListener('mouseleave', () => {
  setHover(-1);
  describeCursor();
});

hex.addEventListener('keydown', (event: KeyboardEvent) => {
  if (!image) return;
  const g = geometry();
  const page = fullRows(g) * bytesPerRow;
  const last = image.sizeBytes - 1;
  let next: number | null = null;
  const ctrl = event.ctrlKey || event.metaKey;
  switch (event.key) {
    case 'ArrowLeft':
      next = cursor - 1;
      break;
    case 'ArrowRight':
      next = cursor + 1;
      break;
    case 'ArrowUp':
      next = cursor - bytesPerRow;
      break;
    case 'ArrowDown':
      next = cursor + bytesPerRow;
      break;
    case 'PageUp':
      next = cursor - page;
      break;
    case 'PageDown':
      next = cursor + page;
      break;
    case 'Home':
      next = ctrl ? 0 : cursor - (cursor % bytesPerRow);
      break;
    case 'End':
      next = ctrl ? last : Math.min(last, cursor - (cursor % bytesPerRow) + bytesPerRow - 1);
      break;
    case 'c':
    case 'C':
      if (ctrl) {
        event.preventDefault();
        copySelection();
      }
      return;
    default:
      return;
  }
  event.preventDefault();
  if (event.key.startsWith('Page') && (next < 0 || next > last)) next = next < 0 ? cursor % bytesPerRow : last;
  cursor = Math.min(last, Math.max(0, next));
  if (!event.shiftKey) {
    anchor = cursor;
    selectionCollapsed = true;
  } else {
    selectionCollapsed = false;
  }
  reveal(cursor, false);
  afterSelection(true);
});

function copySelection(): void {
  const lo = Math.min(anchor, cursor);
  const length = Math.abs(cursor - anchor) + 1;
  if (length > MAX_COPY_LENGTH) {
    statusLine.textContent = `Selection too large to copy (${length} bytes; at most ${MAX_COPY_LENGTH}).`;
    return;
  }
  post({ type: 'copyHex', offset: lo, length });
  statusLine.textContent = `Copied ${length} byte${length === 1 ? '' : 's'} as hex.`;
}

// ---- go to ----
function gotoText(text: string): boolean {
  if (!image) return false;
  const target = resolveGoto(parseGoto(text), image, tree);
  if ('error' in target) {
    gotoError.textContent = target.error;
    return false;
  }
  gotoError.textContent = '';
  select(target.offset, target.length, true);
  if (target.nodeId) selectTreeItem(target.nodeId);
  return true;
}

gotoField.addEventListener('keydown', (event: KeyboardEvent) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    if (gotoText((gotoField as HTMLElement & { value: string }).value)) hex.focus();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    hex.focus();
  }
});

window.addEventListener('keydown', (event: KeyboardEvent) => {
  if ((event.ctrlKey || event.metaKey) && (event.key === 'g' || event.key === 'G')) {
    event.preventDefault();
    gotoField.focus();
    const input = gotoField.shadowRoot?.querySelector('input');
    input?.select();
  }
});

// ---- data inspector ----
function scheduleInspector(): void {
  if (inspectorQueued) return;
  inspectorQueued = true;
  requestAnimationFrame(() => {
    inspectorQueued = false;
    renderInspector();
  });
}

let crcCell: HTMLElement | null = null;
let crcResult: { key: string; text: string } | null = null;
let crcPendingKey = '';

function setCrc(text: string): void {
  if (crcCell) crcCell.textContent = text;
}

function renderInspector(): void {
  if (!image || !cache) return;
  const lo = Math.min(anchor, cursor);
  const length = selectionCollapsed ? 0 : Math.abs(cursor - anchor) + 1;
  const span = spanAt(spans, lo);
  selectionInfo.textContent = length > 0 ? `Selection 0x${lo.toString(16).toUpperCase()} +${length} bytes${span ? ` · ${span.name}` : ''}` : `Cursor 0x${cursor.toString(16).toUpperCase()}${span ? ` · ${span.name}` : ''}`;
  // Numbers decode at the start of the selection (or the cursor); text covers the selection, at most 72 bytes.
  const at = length > 0 ? lo : cursor;
  const bytes = cache.range(at, length > 0 ? Math.min(Math.max(length, 16), 72) : 72);
  const html: string[] = [];
  if (bytes) for (const row of inspect(bytes, image.sectorSize)) html.push(`<tr><th>${escapeHtml(row.label)}</th><td>${escapeHtml(row.value)}</td></tr>`);
  else html.push('<tr><th>…</th><td>loading</td></tr>');
  html.push(`<tr><th>CRC-32 of selection</th><td id="crc">—</td></tr>`);
  inspectorTable.innerHTML = html.join('');
  crcCell = inspectorTable.querySelector('#crc');
  const crcLength = Math.max(1, length);
  if (crcLength > MAX_CRC_LENGTH) {
    setCrc(`selection over ${MAX_CRC_LENGTH / 1024 / 1024} MiB`);
    return;
  }
  const key = `${lo}:${crcLength}`;
  if (crcResult?.key === key) {
    setCrc(crcResult.text);
    return;
  }
  const local = crcLength <= 64 * 1024 ? cache.range(lo, crcLength) : null;
  if (local) {
    crcResult = { key, text: `${formatCrc(crc32(local))} (${crcLength} bytes)` };
    setCrc(crcResult.text);
    return;
  }
  setCrc('computing…');
  if (key !== crcPendingKey) {
    crcPendingKey = key;
    crcRequestId = nextRequestId++;
    post({ type: 'crcRange', requestId: crcRequestId, offset: lo, length: crcLength });
  }
}

// The host embeds the first init in the page; showing it now saves a round trip.
// "ready" then tells the host which generation is on screen (it sends a new init only if that is stale).
const embedded = document.getElementById(EMBEDDED_INIT_ID);
const embeddedInit = embedded?.textContent ? decodeEmbeddedInit(embedded.textContent, (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))) : null;
embedded?.remove();
if (embeddedInit) init(embeddedInit);
post(embeddedInit ? { type: 'ready', shown: embeddedInit.generation } : { type: 'ready' });
