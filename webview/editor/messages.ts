// What the host says, applied to the panes: the first `init`, an `update` after
// every edit / undo / save / revert (new model and bytes, same place in the view),
// bytes and CRCs answering requests, settings, a fix preview, errors.
import type { InitMessage, ToWebview, UpdateMessage } from '../../src/shared/protocol/editor';
import { assertNever } from '../../src/shared/protocol/editor';
import { spanAt } from '../spanIndex';
import type { FindingsList } from './findings';
import type { FixPreviewPanel } from './fixPreview';
import type { GotoField } from './goto';
import type { EditorHexPane } from './hexRows';
import type { HostChannel } from './host';
import type { InspectorPane } from './inspectorPane';
import type { PaneLayout } from './layout';
import type { EditorState } from './state';
import type { Toolbar } from './toolbar';
import type { ByteEditor } from './byteEditor';
import type { FieldEditor } from './fieldEditor';
import type { FindBar } from './findBar';
import type { StructureTree } from './tree';
import type { DiskMapPane } from './diskMapPane';

/** Everything a host message may touch. */
export interface EditorPanes {
  state: EditorState;
  host: HostChannel;
  toolbar: Toolbar;
  findings: FindingsList;
  tree: StructureTree;
  hex: EditorHexPane;
  inspector: InspectorPane;
  preview: FixPreviewPanel;
  layout: PaneLayout;
  bytes: ByteEditor;
  fields: FieldEditor;
  find: FindBar;
  goto: GotoField;
  diskMap: DiskMapPane;
}

const HOST_MESSAGE_TYPES = new Set<string>([
  'focus',
  'copyAs',
  'init',
  'update',
  'edits',
  'bytes',
  'crc',
  'settings',
  'fixPreview',
  'findResult',
  'findCommand',
  'error',
] satisfies ToWebview['type'][]);

/** True for the host's message types; anything else reaching the window (extensions', tools') is not ours. */
export function isHostMessage(data: { type: string }): data is ToWebview {
  return HOST_MESSAGE_TYPES.has(data.type);
}

export function handleHostMessage(panes: EditorPanes, message: ToWebview): void {
  const { host, hex, inspector, preview, toolbar } = panes;
  switch (message.type) {
    case 'focus':
      if (message.target === 'goto') panes.goto.focusFromHost();
      else hex.element.focus();
      break;
    case 'copyAs':
      hex.copy(message.format);
      break;
    case 'init':
      init(panes, message);
      break;
    case 'update':
      update(panes, message);
      break;
    case 'edits':
      // Saved: same bytes, same model; only the marks and the toolbar change.
      toolbar.setEdits(message.edits);
      panes.bytes.refresh();
      if (message.notice) toolbar.say(message.notice);
      hex.viewport.invalidate(); // the rows drawn with marks are drawn again (from the cached bytes)
      hex.viewport.schedule();
      break;
    case 'fixPreview':
      preview.show(message.preview);
      break;
    case 'findResult':
      panes.find.results(message);
      break;
    case 'findCommand':
      panes.find.commandFromHost(message.command);
      break;
    case 'bytes':
      host.bytesArrived(message.requestId, message.offset, message.data);
      hex.viewport.schedule();
      inspector.schedule();
      break;
    case 'crc':
      host.crcArrived(message.requestId);
      inspector.crcArrived(message.requestId, message.offset, message.length, message.crc);
      break;
    case 'settings':
      setAutoSave(panes, message.settings.autoSave ?? false);
      hex.preference = { bytesPerRow: message.settings.bytesPerRow, showLba: message.settings.showLba !== false };
      panes.layout.fit();
      break;
    case 'error':
      // A failed read: its chunk is forgotten so a later render can retry it.
      if (message.requestId !== null) host.failed(message.requestId);
      if (message.requestId !== null) panes.find.failed(message.requestId, message.message);
      toolbar.say(message.message);
      if (message.requestId === null) preview.error(message.message);
      break;
    default:
      assertNever(message);
  }
}

function init(panes: EditorPanes, message: InitMessage): void {
  performance.mark('diskx-init');
  const { state, toolbar, tree, findings, hex } = panes;
  hex.preference = { bytesPerRow: message.settings.bytesPerRow, showLba: message.settings.showLba !== false };
  hex.viewport.bytesPerRow = hex.rowWidths()[0]!;
  setAutoSave(panes, message.settings.autoSave ?? false);
  setModel(panes, message);
  toolbar.showBanner(message.banner);
  toolbar.setEdits(message.edits);
  panes.bytes.refresh();
  tree.render();
  findings.render();
  performance.mark('diskx-tree');
  relayout(panes);
  state.selection.setRange(0, 0);
  // The keys work at once: arrows move the cursor without first tabbing to the hex
  // (unless the user already put the focus somewhere, e.g. in the go-to field).
  const focused = document.activeElement;
  if (!focused || focused === document.body) hex.element.focus({ preventScroll: true });
}

/** The document changed (edit, undo, redo, save, revert): new model and bytes, same place in the view. */
function update(panes: EditorPanes, message: UpdateMessage): void {
  const { state, toolbar, tree, findings, hex, preview, inspector } = panes;
  setModel(panes, message);
  toolbar.showBanner(message.banner);
  toolbar.setEdits(message.edits);
  panes.bytes.refresh();
  panes.fields.close();
  preview.hide();
  tree.render();
  findings.render();
  if (message.notice) toolbar.say(message.notice);
  tree.selectNode(spanAt(state.spans, state.selection.cursor)?.nodeId);
  hex.viewport.schedule();
  inspector.reset();
}

function setModel(panes: EditorPanes, message: InitMessage | UpdateMessage): void {
  const { state, host, hex } = panes;
  state.image = message.image;
  state.tree = message.tree;
  state.spans = message.spans;
  state.findings = message.findings;
  state.selection.last = Math.max(0, message.image.sizeBytes - 1);
  state.cache = host.freshCache(message.image.sizeBytes, message.head);
  hex.viewport.invalidate();
  panes.diskMap.render(message.map);
}

/** Columns, header and scroll range of the hex, then whether the panes still fit side by side. */
function relayout(panes: EditorPanes): void {
  panes.hex.layout();
  panes.layout.fit();
}

function setAutoSave(panes: EditorPanes, on: boolean): void {
  panes.state.autoSave = on;
  document.body.dataset.autoSave = String(on);
  panes.preview.autoSaveChanged();
}
