// The editor's message protocol between the extension host and its webview.
// Each direction is a discriminated union on `type`; both handlers end their
// switch in `assertNever`, so a message nobody handles fails to compile. What
// the comparison view shares with it (errors, request ids, patch previews) is in
// common.ts, re-exported here so a side imports one module. Types and pure
// helpers only, no runtime dependency on the host or the webview.
import type { Message } from '../l10n';
import type { ErrorMessage, HexSettings, ImageSummary, PlanPreview, RequestMessage } from './common';
import type { FieldKind as ValueKind, PatternMode } from '../valueKinds';
import type { DiskMapView } from './diskMap';

export * from './common';

/** How a field's bytes are coloured in the hex view. */
export type FieldKind = 'signature' | 'crc' | 'lba' | 'guid' | 'text' | 'count' | 'reserved' | 'flags' | 'code' | 'other';

/** One node of the structure tree: a structure, a field, a slot or a partition. */
export interface TreeNode {
  /** Stable id, also the DOM's data-node-id: "primary-header.HeaderCRC32", "slot-3", "partition-5". */
  id: string;
  /** What the node is ("HeaderCRC32", "Slot 3"). */
  label: string;
  /** Its value as shown ("0x1A2B3C4D"), if it has one. */
  value?: string;
  /** What the value means ("matches the computed CRC"). */
  description?: string;
  /** Absolute byte range; length 0 for nodes without bytes of their own. */
  offset: number;
  length: number;
  kind?: FieldKind;
  /** Finding codes attached to this node. */
  findings?: string[];
  /** Shown expanded at first. */
  open?: boolean;
  /** Hover text (a user spec's `doc`). */
  doc?: string;
  /** Its children are read when it is opened: the webview sends expandNode (a user spec's instance). */
  lazy?: boolean;
  /** VS Code's webview context-menu keys for this node (`data-vscode-context`): `webviewSection` and its data. */
  context?: Record<string, string | number | boolean>;
  /** The field can be edited by value (double-click or Enter opens an editor for its kind). */
  edit?: FieldEdit;
  children?: TreeNode[];
}

/** What a field editor needs: the path the host plans with, the value kind and the value as text. */
export interface FieldEdit {
  /** `primaryArray.entries.0.name`: sent back in setField. */
  path: string;
  kind: ValueKind;
  /** The canonical text of the current value (parses back to the same bytes). */
  value: string;
  /** For attributes: the entry's partition type, which names its type-specific bits. */
  typeGuid?: string;
}

/** A leaf byte range of the hex view's annotation: colour, name and the tree node to select. */
export interface FieldSpan {
  offset: number;
  length: number;
  kind: FieldKind;
  /** Human name for hover and the status line ("Primary GPT header › HeaderCRC32"). */
  name: string;
  nodeId: string;
}

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface FindingView {
  code: string;
  severity: FindingSeverity;
  /** In English; `text` is the same as a template for the webview to translate (src/shared/l10n.ts). */
  message: string;
  text?: Message;
  offset: number;
  length: number;
  fixes: string[];
  /** The fixes as buttons: human label and, when the fix does not apply to this disk, why. */
  actions: FixAction[];
  /** Tree node the finding is attached to, if any. */
  nodeId?: string;
  /** For a finding about a container file's bytes: the file and its file offsets (`offset`/`length` are then 0). */
  file?: { path: string; offset: number; length: number };
}

/** A fix offered on a finding. */
export interface FixAction {
  /** Fix id ("restore-esxi-slots"): the only thing the webview sends back. */
  id: string;
  /** Button text ("Restore ESXi slot gap", FIX_LABELS in core/fixes/registry.ts). */
  label: string;
  /** Why the fix does not apply now, or null when it does. */
  reason: string | null;
}

/** The document's edit state as the webview shows it. */
export interface EditState {
  /** Unsaved edits exist (the tab shows the dirty marker too). */
  dirty: boolean;
  /** Titles of the edits in effect, oldest first (saved ones included). */
  applied: string[];
  /** Number of pending plans a save would write. */
  pending: number;
  /** Why fixes cannot be applied here (Restricted Mode, plain file), or null. */
  blocked: string | null;
  /** Why typing over bytes is refused here (Restricted Mode; a plain file takes byte edits), or null; absent from older hosts. */
  handBlocked?: string | null;
  /** Why saving needs a confirmation (block device, read-only file), or null. */
  saveNeedsConfirmation: string | null;
  /** Bytes that differ from the file on disk (unsaved edits), merged, at most MAX_EDITED_RANGES. */
  edited: { offset: number; length: number }[];
}

/** Edited ranges sent to the view at most (beyond, the last range covers the rest). */
export const MAX_EDITED_RANGES = 4096;
/** The most bytes one hand edit may write (a paste or a fill). */
export const MAX_EDIT_BYTES = 1024 * 1024;
/** Longest field path and search pattern text the host accepts from the webview. */
export const MAX_FIELD_PATH_LENGTH = 200;
export const MAX_PATTERN_TEXT_LENGTH = 12 * 1024;

/** What a fix would do, or why it does not apply. */
export type FixPreview = ({ ok: true; fixId: string; label: string } & PlanPreview) | { ok: false; fixId: string; label: string; reason: string };

/** What the webview needs to know about the image as a whole. */
export interface ImageInfo extends ImageSummary {
  /** "ESXi 5", or null. */
  profile: string | null;
  readOnly: boolean;
}

export interface ViewSettings extends HexSettings {
  /** VS Code's files.autoSave is on for this image: an applied fix is written at once (Apply asks first). */
  autoSave?: boolean;
}

/** The largest selection whose CRC-32 the host computes. */
export const MAX_CRC_LENGTH = 1024 * 1024;
/** The largest selection copied as hex. */
export const MAX_COPY_LENGTH = 1024 * 1024;

// ---- host -> webview ----

export interface InitMessage {
  type: 'init';
  image: ImageInfo;
  tree: TreeNode[];
  spans: FieldSpan[];
  findings: FindingView[];
  /** Shown above everything when the file is not (or not fully) a disk image. */
  banner: string | null;
  settings: ViewSettings;
  /** The image's first bytes (up to INIT_HEAD_BYTES), so the first rows paint without a round trip. */
  head: Uint8Array;
  edits: EditState;
  /** The disk map (areas, placed on a bar); null when the bytes are shown as plain hex. */
  map: DiskMapView | null;
  /** The document's state counter when this was made: a view that shows it needs no new init on "ready". */
  generation: number;
}

/** The document changed (an edit, undo, redo, save, revert, reload): new model, same view position. */
export interface UpdateMessage {
  type: 'update';
  image: ImageInfo;
  tree: TreeNode[];
  spans: FieldSpan[];
  findings: FindingView[];
  banner: string | null;
  head: Uint8Array;
  edits: EditState;
  map: DiskMapView | null;
  /** A line for the status bar of the view ("Applied: Restore ESXi partition slots"). */
  notice: string | null;
}

/**
 * Only the edit state changed, not the bytes shown nor the model (after a save: the
 * file now holds the bytes the view shows). The view keeps its tree, spans and
 * cached bytes and takes the new edit state and notice.
 */
export interface EditsMessage {
  type: 'edits';
  edits: EditState;
  notice: string | null;
}

/** Show what a fix would do (answer to previewFix, or sent by a palette command / quick fix). */
export interface FixPreviewMessage {
  type: 'fixPreview';
  preview: FixPreview;
}

/** How many leading bytes the init message carries. */
export const INIT_HEAD_BYTES = 16 * 1024;

export interface BytesMessage extends RequestMessage {
  type: 'bytes';
  offset: number;
  data: Uint8Array;
}

export interface CrcMessage extends RequestMessage {
  type: 'crc';
  offset: number;
  length: number;
  crc: number;
}

export interface SettingsMessage {
  type: 'settings';
  settings: ViewSettings;
}

/** Move the keyboard focus (a keybinding of ours ran: Ctrl+G focuses the go-to field). */
export interface FocusMessage {
  type: 'focus';
  target: 'goto' | 'hex';
}

/** Copy the selection in `format` (a Copy As command ran in the palette or the context menu). */
export interface CopyAsMessage {
  type: 'copyAs';
  format: CopyFormat;
}

/** Search results (answer to find): matches in the search direction from `from`. */
export interface FindResultMessage extends RequestMessage {
  type: 'findResult';
  matches: { offset: number; length: number }[];
  truncated: boolean;
  /** The search was cancelled (what was found so far is not listed). */
  cancelled: boolean;
}

/** Open the find bar (Ctrl+F in the editor, a keybinding), or step through its results (F3 / Shift+F3). */
export interface FindCommandMessage {
  type: 'findCommand';
  command: 'open' | 'next' | 'previous';
}

export type ToWebview =
  | FocusMessage
  | CopyAsMessage
  | InitMessage
  | UpdateMessage
  | EditsMessage
  | BytesMessage
  | CrcMessage
  | SettingsMessage
  | FixPreviewMessage
  | FindResultMessage
  | FindCommandMessage
  | ErrorMessage;

// ---- webview -> host ----

export interface ReadyMessage {
  type: 'ready';
  /** The generation of the init the host embedded in the page, when the webview has shown it. */
  shown?: number;
}

export interface ReadRangeMessage extends RequestMessage {
  type: 'readRange';
  offset: number;
  length: number;
}

export interface CrcRequestMessage extends RequestMessage {
  type: 'crcRange';
  offset: number;
  length: number;
}

/** How Copy As writes bytes to the clipboard: `45 46 49`, a C array, base64, or the bytes as UTF-8 text. */
export const COPY_FORMATS = ['hex', 'c', 'base64', 'text'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

/** Copy the range to the clipboard (Ctrl+C: hex; Copy As: `format`). */
export interface CopyHexMessage {
  type: 'copyHex';
  offset: number;
  length: number;
  /** Absent: hex. */
  format?: CopyFormat;
}

/** The cursor or selection moved: the host may show it in the status bar. */
export interface SelectionMessage {
  type: 'selection';
  offset: number;
  length: number;
}

/** Show the plan of fix `fixId` (a button on a finding was clicked). */
export interface PreviewFixMessage {
  type: 'previewFix';
  fixId: string;
}

/**
 * Apply fix `fixId` as an edit (Apply in the preview). Only the id travels: the
 * host plans the fix again on its own model; the webview never supplies bytes.
 */
export interface ApplyFixMessage {
  type: 'applyFix';
  fixId: string;
}

/** A lazy node was opened: the host reads what it stands for and sends an update. */
export interface ExpandNodeMessage {
  type: 'expandNode';
  nodeId: string;
}

/** Longest node id the host accepts from the webview. */
export const MAX_NODE_ID_LENGTH = 4096;

/**
 * Overwrite bytes at `offset` (typing, paste, fill): one edit. The host plans it
 * (with `dependents`: mirrored to the other GPT copy and the CRCs resealed) and
 * checks it like any message: inside the image, at most MAX_EDIT_BYTES.
 */
export interface EditBytesMessage {
  type: 'editBytes';
  offset: number;
  /** The new bytes as lowercase or upper-case hex (plain JSON on every VS Code). */
  hex: string;
  dependents: boolean;
  /** What the user did, for the edit's title. */
  action: 'type' | 'paste' | 'fill';
}

/** Put the saved bytes (the file on disk) back over [offset, offset+length): one edit. */
export interface RevertBytesMessage {
  type: 'revertBytes';
  offset: number;
  length: number;
  dependents: boolean;
}

/** Set a field by value (a field editor): the host parses `value` for the field at `path`. */
export interface SetFieldMessage {
  type: 'setField';
  path: string;
  value: string;
  dependents: boolean;
}

/** Search the document (unsaved edits included) from `from` in `direction`. */
export interface FindMessage extends RequestMessage {
  type: 'find';
  pattern: string;
  mode: PatternMode;
  from: number;
  direction: 'forward' | 'backward';
}

export interface CancelFindMessage {
  type: 'cancelFind';
  requestId: number;
}

export type FromWebview =
  | ExpandNodeMessage
  | ReadyMessage
  | ReadRangeMessage
  | CrcRequestMessage
  | CopyHexMessage
  | SelectionMessage
  | PreviewFixMessage
  | ApplyFixMessage
  | EditBytesMessage
  | RevertBytesMessage
  | SetFieldMessage
  | FindMessage
  | CancelFindMessage;

// ---- the init embedded in the page ----
// The host puts the first init in the webview's HTML as a JSON data block (not
// executed, so the CSP is untouched), which saves the ready -> init round trip
// on open. The image's head bytes travel as base64.

/** The id of the `<script type="application/json">` element holding the embedded init. */
export const EMBEDDED_INIT_ID = 'diskx-init';

/** JSON for an HTML data block: `<`, `>`, `&` and line separators escaped, so partition names from a hostile disk cannot close the element. */
export function encodeEmbeddedInit(message: InitMessage, base64: (bytes: Uint8Array) => string): string {
  return JSON.stringify({ ...message, head: base64(message.head) }).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The init back from an embedded data block's text; null when it is not one (a page without it, or damaged text). */
export function decodeEmbeddedInit(text: string, fromBase64: (text: string) => Uint8Array): InitMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const value = parsed as Partial<Record<keyof InitMessage, unknown>>;
  if (
    value.type !== 'init' ||
    typeof value.head !== 'string' ||
    !Number.isSafeInteger(value.generation) ||
    !Array.isArray(value.tree) ||
    !Array.isArray(value.spans)
  )
    return null;
  return { ...(value as unknown as InitMessage), head: fromBase64(value.head) };
}
