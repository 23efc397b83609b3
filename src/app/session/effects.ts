// What a session's answer to the webview asks of its host, and the outcome of
// an edit request. Types only, shared by the session and its message handlers.
import type { CopyFormat, ToWebview } from '../../shared/protocol/editor';
import type { ImageEdit } from '../editStack';

/** What the host must do that only it can (clipboard, status bar, the edit event). */
export type SessionEffect =
  | { kind: 'reply'; message: ToWebview }
  | { kind: 'copy'; text: string; format: CopyFormat; bytes: number }
  | { kind: 'selection'; offset: number; length: number }
  | { kind: 'edit'; edit: ImageEdit }
  /** The views need an update (a lazy spec node was read). */
  | { kind: 'changed'; notice: string | null }
  /** A search to run (the host shows its progress with a cancel button and posts the result). */
  | { kind: 'find'; requestId: number; run: (signal: AbortSignal, onProgress: (done: number, total: number) => void) => Promise<ToWebview> }
  | { kind: 'cancelFind'; requestId: number }
  | { kind: 'none' };

/** An edit made (one entry on the edit stack), or why not. */
export type EditOutcome = { ok: true; edit: ImageEdit } | { ok: false; reason: string };
