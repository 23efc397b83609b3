// The disk image editor's UI: findings, structure tree, virtualized annotated hex
// view, go-to and data inspector. DOM only, no framework: a few @vscode-elements
// components plus plain elements. It shows what the host sends and asks for bytes
// as rows scroll into view; it never imports vscode or host code.
// This file wires the panes in webview/editor/ to one state object and the host.
import '@vscode-elements/elements/dist/vscode-tree/index.js';
import '@vscode-elements/elements/dist/vscode-tree-item/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './main.css';
import { EMBEDDED_INIT_ID, decodeEmbeddedInit } from '../src/shared/protocol/editor';
import { el } from './dom';
import { FindingsList } from './editor/findings';
import { FixPreviewPanel } from './editor/fixPreview';
import { GotoField } from './editor/goto';
import { hexInput } from './editor/hexInput';
import { EditorHexPane } from './editor/hexRows';
import type { VsCodeApi } from './editor/host';
import { HostChannel } from './editor/host';
import { InspectorPane } from './editor/inspectorPane';
import { PaneLayout } from './editor/layout';
import { handleHostMessage, isHostMessage } from './editor/messages';
import { createEditorState } from './editor/state';
import { SavedState } from './savedState';
import { Toolbar } from './editor/toolbar';
import { StructureTree } from './editor/tree';
import { spanAt } from './spanIndex';
import { ByteEditor } from './editor/byteEditor';
import { FieldEditor } from './editor/fieldEditor';
import { FindBar } from './editor/findBar';
import { typingInField } from './dom';
import { DiskMapPane } from './editor/diskMapPane';
import { t } from './l10n';

declare function acquireVsCodeApi(): VsCodeApi;

performance.mark('diskx-start');
const api = acquireVsCodeApi();
const host = new HostChannel(api);
const saved = new SavedState(api);
const state = createEditorState();
const { selection } = state;

// ---- panes ----
const tree = new StructureTree(
  state,
  (node) => {
    if (node.length > 0) selection.setRange(node.offset, node.length, { syncTree: false, reveal: 'jump' });
  },
  (nodeId) => host.post({ type: 'expandNode', nodeId }),
);
const findings = new FindingsList(state, tree, {
  reveal: (finding) => {
    // The finding's bytes, and the tree node it belongs to.
    selection.setRange(finding.offset, Math.max(1, finding.length), { syncTree: false, reveal: 'jump' });
    tree.selectNode(finding.nodeId ?? spanAt(state.spans, finding.offset)?.nodeId);
  },
  preview: (fixId) => host.post({ type: 'previewFix', fixId }),
});
const goto = new GotoField(state, {
  go: (offset, length, nodeId) => {
    selection.setRange(offset, length, { syncTree: true, reveal: 'jump' });
    if (nodeId) tree.selectNode(nodeId);
  },
  focusHex: () => hex.element.focus(),
});
const toolbar = new Toolbar(state, goto);
const hex: EditorHexPane = new EditorHexPane(
  state,
  hexInput(state, () => hex.viewport, toolbar, host),
  () => {
    document.body.dataset.ready = 'true';
    performance.mark('diskx-ready'); // for benchmarks: navigation start to first tree + hex paint
  },
);
const preview = new FixPreviewPanel(state, {
  apply: (fixId) => host.post({ type: 'applyFix', fixId }),
  select: (offset, length) => selection.setRange(offset, length, { syncTree: true, reveal: 'jump' }),
  marksChanged: () => {
    hex.viewport.invalidate();
    hex.viewport.schedule();
  },
  previewing: (fixId) => findings.previewing(fixId),
});
// Double-click on an inspector row edits that value at the selection.
const inspector = new InspectorPane(state, host, saved, (label, offset) => void fields.openInspectorValue(label, offset));
const repaint = (): void => {
  hex.viewport.invalidate();
  hex.viewport.schedule();
};
// Hand edits: typing over bytes, paste, fill, revert (the host makes each an edit).
const bytes = new ByteEditor(state, { post: (m) => host.post(m), say: (t) => toolbar.say(t), repaint });
hex.addKeyHandler((event) => bytes.key(event));
hex.element.addEventListener('paste', (event: ClipboardEvent) => {
  const text = event.clipboardData?.getData('text/plain');
  if (text === undefined || typingInField(event as unknown as KeyboardEvent)) return;
  event.preventDefault();
  bytes.paste(text);
});
const fields = new FieldEditor(state, { post: (m) => host.post(m), dependents: () => bytes.dependents });
// Double-click or Enter on an editable field opens its editor.
const openFieldEditor = (event: Event): void => {
  const item = (event.target as HTMLElement).closest<HTMLElement>('vscode-tree-item');
  const node = tree.node(item?.dataset.nodeId);
  if (node && fields.open(node)) event.preventDefault();
};
tree.element.addEventListener('dblclick', openFieldEditor);
tree.element.addEventListener('keydown', (event: KeyboardEvent) => {
  if (event.key !== 'Enter') return;
  const selected = tree.element.querySelector<HTMLElement>('vscode-tree-item[selected]');
  const node = tree.node(selected?.dataset.nodeId);
  if (node?.edit && fields.open(node)) event.preventDefault();
});
const find = new FindBar(state, {
  post: (m) => host.post(m),
  select: (offset, length) => selection.setRange(offset, length, { syncTree: true, reveal: 'jump' }),
  repaint,
  focusHex: () => hex.element.focus(),
});
// The disk map: an area selects its tree node and that node's bytes, as a click in the tree does.
const diskMap = new DiskMapPane(state, {
  selectNode: (nodeId) => {
    const node = tree.node(nodeId);
    if (!node || node.length === 0) return false;
    tree.selectNode(nodeId);
    selection.setRange(node.offset, node.length, { syncTree: false, reveal: 'jump' });
    return true;
  },
  selectBytes: (offset, length, nodeId) => {
    selection.setRange(offset, length, { syncTree: !tree.node(nodeId), reveal: 'jump' });
    if (tree.node(nodeId)) tree.selectNode(nodeId);
  },
  collapsed: () => saved.pane('diskMap').collapsed ?? false,
  setCollapsed: (collapsed) => saved.updatePane('diskMap', { collapsed }),
});

// Findings first: they are what a user opens a broken image for, and their fix buttons live there.
const side = el(
  'div',
  { id: 'side' },
  el('div', { className: 'section-title', text: t('Findings') }),
  findings.element,
  el('div', { className: 'section-title', text: t('Structure') }),
  tree.element,
);
const layout = new PaneLayout(side, hex, inspector.element, saved);
document.body.append(toolbar.element, diskMap.element, bytes.bar, find.element, fields.element, preview.element, layout.element);
void goto.fitPlaceholder();
const panes = { state, host, toolbar, findings, tree, hex, inspector, preview, layout, bytes, fields, find, goto, diskMap };

// ---- a selection change reaches every pane ----
selection.onChange((change) => {
  bytes.selectionMoved();
  if (change.reveal) hex.viewport.reveal(change.reveal === 'jump' ? selection.anchor : selection.cursor, change.reveal === 'jump');
  if (change.syncTree) tree.selectNode(spanAt(state.spans, selection.cursor)?.nodeId);
  diskMap.follow(spanAt(state.spans, selection.cursor)?.nodeId);
  toolbar.describe();
  // Painted at once (not on the next frame): the selection shows in the same turn as the click or key.
  hex.viewport.render();
  inspector.schedule();
  host.post({ type: 'selection', offset: selection.lo, length: selection.length });
});

// ---- messages ----
window.addEventListener('message', (event: MessageEvent) => {
  const data = event.data as { type?: unknown } | null;
  if (!data || typeof data.type !== 'string') return;
  if (data.type === 'test:goto') {
    // Test-only hook (the DOM contract): behaves like Ctrl+G with an offset or any go-to text.
    const offset = (data as { offset?: unknown }).offset;
    if (typeof offset === 'number' || typeof offset === 'string') goto.go(String(offset));
    return;
  }
  const message = data as { type: string };
  if (isHostMessage(message)) handleHostMessage(panes, message);
});

// The host embeds the first init in the page; showing it now saves a round trip.
// "ready" then tells the host which generation is on screen (it sends a new init only if that is stale).
const embedded = document.getElementById(EMBEDDED_INIT_ID);
const embeddedInit = embedded?.textContent ? decodeEmbeddedInit(embedded.textContent, (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))) : null;
embedded?.remove();
if (embeddedInit) handleHostMessage(panes, embeddedInit);
host.post(embeddedInit ? { type: 'ready', shown: embeddedInit.generation } : { type: 'ready' });
