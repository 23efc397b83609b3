// One message from the editor's webview, validated, then answered by concern:
// reads (readRange, crcRange, copyHex), edits (applyFix, editBytes,
// revertBytes, setField), search (find, cancelFind) and the view itself
// (ready, selection, previewFix, expandNode). The switch ends in assertNever,
// so a new message type does not compile until it is handled here.
import type { ByteSource } from '../../core/io/byteSource';
import type { FixId, ScanFixId } from '../../core/findings';
import type { FindMessage, FixPreview, FromWebview, InitMessage, ToWebview, ViewSettings } from '../../shared/protocol/editor';
import { assertNever, requestIdOf } from '../../shared/protocol/editor';
import { validateFromWebview } from '../messageValidation';
import type { SessionEffect } from './effects';
import type { EditTarget } from './editMessages';
import { handleEditMessage } from './editMessages';
import { handleReadMessage } from './readMessages';

/** What of the session the messages need. */
export interface MessageTarget extends EditTarget {
  /** The bytes as the document shows them (unsaved edits included). */
  readonly source: ByteSource;
  /** Counts the model and edit-state changes the views were sent. */
  readonly generation: number;
  initMessage(settings: ViewSettings): Promise<InitMessage>;
  preview(fixId: FixId | ScanFixId): FixPreview;
  /** Reads a lazy node of a user spec; false when there was nothing to read. */
  expandNode(nodeId: string): Promise<boolean>;
  find(message: FindMessage, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ToWebview>;
}

/** Validates and answers one message from the webview. Invalid messages get an error reply. */
export async function handleSessionMessage(target: MessageTarget, raw: unknown, settings: ViewSettings): Promise<SessionEffect> {
  const checked = validateFromWebview(raw, target.source.size);
  if (!checked.ok) return { kind: 'reply', message: { type: 'error', requestId: requestIdOf(raw), message: `rejected message: ${checked.reason}` } };
  const message: FromWebview = checked.message;
  switch (message.type) {
    case 'ready':
      // The page already shows the init embedded in its HTML, and nothing changed since: no second init.
      if (message.shown !== undefined && message.shown === target.generation) return { kind: 'none' };
      return { kind: 'reply', message: await target.initMessage(settings) };
    case 'readRange':
    case 'crcRange':
    case 'copyHex':
      return handleReadMessage(target.source, message);
    case 'selection':
      return { kind: 'selection', offset: message.offset, length: message.length };
    case 'previewFix':
      return { kind: 'reply', message: { type: 'fixPreview', preview: target.preview(message.fixId as FixId | ScanFixId) } };
    case 'expandNode':
      return (await target.expandNode(message.nodeId)) ? { kind: 'changed', notice: null } : { kind: 'none' };
    case 'applyFix':
    case 'editBytes':
    case 'revertBytes':
    case 'setField':
      return handleEditMessage(target, message);
    case 'find':
      return { kind: 'find', requestId: message.requestId, run: (signal, onProgress) => target.find(message, signal, onProgress) };
    case 'cancelFind':
      return { kind: 'cancelFind', requestId: message.requestId };
    default:
      return assertNever(message);
  }
}
