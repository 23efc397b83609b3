// The custom editor's document: owns one DiskImageSession (file, edits laid over
// it, model, findings) for as long as any editor shows the image, and turns its
// edits into VS Code's CustomDocumentEditEvents (undo/redo, dirty marker). The
// edit model itself (stack, saved index, pending plans, backup JSON) lives in
// src/app (diskImageSession.ts, editableImage.ts, editStack.ts), without
// `vscode`, so plain Node tests it.
import * as vscode from 'vscode';
import { DiskImageSession } from '../app/diskImageSession';
import type { ImageEdit } from '../app/editStack';
import { readSettings } from './settings';
import { describeError } from '../core/errors';

export class DiskImageDocument implements vscode.CustomDocument {
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once, when the document is disposed. */
  readonly onDidDispose = this.disposeEmitter.event;
  private readonly editEmitter = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<DiskImageDocument>>();
  /** An edit VS Code should put on its undo stack. */
  readonly onDidEdit = this.editEmitter.event;
  private readonly changeEmitter = new vscode.EventEmitter<string | null>();
  /** The model changed (edit, undo, redo, save, revert, reload); the payload is a line for the views. */
  readonly onDidChangeModel = this.changeEmitter.event;
  /** True while our own save writes the file (the file watcher ignores that change). */
  saving = false;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs `task` after every earlier one finished. VS Code may ask to save twice
   * in a row (a forwarded Ctrl+S, then the same save again): the second must see
   * the first one's result, not race it (it would see its own write as a change on disk).
   */
  serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private constructor(
    readonly uri: vscode.Uri,
    readonly session: DiskImageSession,
  ) {
    this.session.editBlocked = vscode.workspace.isTrusted ? null : 'Restricted Mode: trust the workspace to repair images';
  }

  /** Opens a file, VMDK descriptor or block device; non-disk files open as plain hex with a banner. */
  static async create(uri: vscode.Uri): Promise<DiskImageDocument> {
    const { sectorSize, allowOutsideExtents } = readSettings(uri);
    try {
      const journalDir = process.env.DISKX_JOURNAL_DIR;
      const session = await DiskImageSession.open(uri.fsPath, { sectorSize, open: { allowOutsideExtents }, ...(journalDir ? { journalDir } : {}) });
      return new DiskImageDocument(uri, session);
    } catch (error) {
      // Only unreadable paths get here (no such file, permission denied): say so in one line.
      throw new Error(`Disk Structure Explorer cannot open ${uri.fsPath}: ${describeError(error)}`);
    }
  }

  /** Tells VS Code about an edit the session already applied (undo/redo go back through the session). */
  recordEdit(edit: ImageEdit): void {
    const title = edit.plan.title;
    this.editEmitter.fire({
      document: this,
      label: title,
      undo: async () => {
        if (await this.session.undo(edit)) this.changeEmitter.fire(`Undone: ${title} (not saved yet)`);
      },
      redo: async () => {
        if (await this.session.redo(edit)) this.changeEmitter.fire(`Redone: ${title} (not saved yet)`);
      },
    });
    this.changeEmitter.fire(`Applied: ${title}. Save (Ctrl+S) writes it to the image; Ctrl+Z undoes it.`);
  }

  /** The model changed outside an edit (save, revert, reload, restore). */
  changed(notice: string | null): void {
    this.changeEmitter.fire(notice);
  }

  dispose(): void {
    void this.session.close();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.editEmitter.dispose();
    this.changeEmitter.dispose();
  }
}
