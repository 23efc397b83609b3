// The custom editor's document (the shape of VS Code's Paw Draw custom editor
// sample): owns one DiskImageSession (file, edits laid over it, model,
// findings) for as long as any editor shows the image, turns its edits into
// VS Code's CustomDocumentEditEvents (undo/redo, dirty marker), and does the
// save, Save As, revert and backup the provider delegates to it, with the
// confirmations only a person can give. The edit model itself (stack, saved
// index, pending plans, backup JSON, the safe write) lives in src/app without
// `vscode`, so plain Node tests it.
import * as vscode from 'vscode';
import path from 'node:path';
import { DiskImageSession } from '../app/diskImageSession';
import type { ImageEdit } from '../app/editStack';
import { ImageChangedOnDiskError } from '../app/editableImage';
import { CopyCancelledError, ImageChangedError } from '../core/write/index';
import { formatBytes } from '../shared/sizeText';
import { journalDir, readSettings } from './settings';
import { hostLocalizer, localError, localMessage, planTitle } from './localText';
import type { AppliedSpecsHost } from '../app/appliedSpecs';

/** What the document needs from the editor that shows it. */
export interface DocumentDelegate {
  /** A panel showing the document (to run VS Code's Revert in), if any. */
  panel(): vscode.WebviewPanel | undefined;
}

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

  private constructor(
    readonly uri: vscode.Uri,
    readonly session: DiskImageSession,
    private readonly delegate: DocumentDelegate,
  ) {
    this.session.editBlocked = vscode.workspace.isTrusted ? null : vscode.l10n.t('Restricted Mode: trust the workspace to repair images');
  }

  /**
   * Opens a file, VMDK descriptor or block device (non-disk files open as plain
   * hex with a banner) and, on hot exit, lays the backed-up edits over it again.
   */
  static async create(uri: vscode.Uri, backupId: string | undefined, delegate: DocumentDelegate, specs?: AppliedSpecsHost): Promise<DiskImageDocument> {
    const { sectorSize, allowOutsideExtents } = readSettings(uri);
    let session: DiskImageSession;
    try {
      const journal = journalDir();
      session = await DiskImageSession.open(uri.fsPath, {
        sectorSize,
        open: { allowOutsideExtents },
        ...(journal ? { journalDir: journal } : {}),
        ...(specs ? { specs } : {}),
        l10n: hostLocalizer(),
      });
    } catch (error) {
      // Only unreadable paths get here (no such file, permission denied): say so in one line.
      throw new Error(vscode.l10n.t('Disk Structure Explorer cannot open {0}: {1}', uri.fsPath, localError(error)));
    }
    const document = new DiskImageDocument(uri, session, delegate);
    if (backupId) await document.restore(vscode.Uri.parse(backupId));
    return document;
  }

  get name(): string {
    return path.basename(this.uri.fsPath);
  }

  /** Hot exit: the backup holds the unsaved edits (patches), never image bytes. */
  private async restore(backup: vscode.Uri): Promise<void> {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(backup));
      const restored = await this.session.restoreBackup(text);
      if ('problem' in restored) void vscode.window.showWarningMessage(`Disk Structure Explorer: ${this.name}: ${restored.problem}.`);
    } catch (error) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Disk Structure Explorer: the unsaved edits of {0} could not be restored ({1}).', this.name, localError(error)),
      );
    }
  }

  /**
   * Runs `task` after every earlier one finished. VS Code may ask to save twice
   * in a row (a forwarded Ctrl+S, then the same save again): the second must see
   * the first one's result, not race it (it would see its own write as a change on disk).
   */
  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Tells VS Code about an edit the session already applied (undo/redo go back through the session). */
  recordEdit(edit: ImageEdit): void {
    const title = planTitle(edit.plan);
    this.editEmitter.fire({
      document: this,
      label: title,
      undo: async () => {
        if (await this.session.undo(edit)) this.changeEmitter.fire(vscode.l10n.t('Undone: {0} (not saved yet)', title));
      },
      redo: async () => {
        if (await this.session.redo(edit)) this.changeEmitter.fire(vscode.l10n.t('Redone: {0} (not saved yet)', title));
      },
    });
    this.changeEmitter.fire(vscode.l10n.t('Applied: {0}. Save (Ctrl+S) writes it to the image; Ctrl+Z undoes it.', title));
  }

  /** The model changed outside an edit (save, revert, reload, restore). */
  changed(notice: string | null): void {
    this.changeEmitter.fire(notice);
  }

  // ---- what the provider delegates ----

  /** Save: the unsaved patches through the safe writer, after the checks a person must see. */
  save(_cancellation?: vscode.CancellationToken): Promise<void> {
    return this.serialize(() => this.write());
  }

  /** Save As: a copy with the edits laid over it, with a cancellable progress notification; the image is untouched. */
  async saveAs(destination: vscode.Uri, cancellation?: vscode.CancellationToken): Promise<void> {
    const size = this.session.source.size;
    const target = path.basename(destination.fsPath);
    await vscode.window
      .withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Saving a copy as {0}', target), cancellable: true },
        async (progress, token) => {
          let reported = 0;
          await this.session.saveAs(destination.fsPath, {
            report: (done, total) => {
              const percent = Math.floor((done / total) * 100);
              if (percent > reported) {
                progress.report({ increment: percent - reported, message: vscode.l10n.t('{0} of {1}', formatBytes(done), formatBytes(total)) });
                reported = percent;
              }
            },
            cancelled: () => token.isCancellationRequested || (cancellation?.isCancellationRequested ?? false),
          });
        },
      )
      .then(undefined, (error: unknown) => {
        if (error instanceof CopyCancelledError) throw new Error(vscode.l10n.t('Not saved: {0}', localError(error)));
        throw error;
      });
    vscode.window.setStatusBarMessage(`$(check) ${vscode.l10n.t('Saved a {0} copy as {1}', formatBytes(size), target)}`, 8000);
  }

  revert(_cancellation?: vscode.CancellationToken): Promise<void> {
    return this.serialize(async () => {
      await this.session.revert();
      this.changed(vscode.l10n.t('Reverted: the image is shown as it is on disk.'));
    });
  }

  /** The backup (hot exit) of the unsaved edits at `destination`: JSON of their patches. */
  async backup(destination: vscode.Uri, _cancellation?: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    await vscode.workspace.fs.writeFile(destination, new TextEncoder().encode(this.session.backupText()));
    return { id: destination.toString(), delete: () => void vscode.workspace.fs.delete(destination).then(undefined, () => undefined) };
  }

  /** Drops the edits and reads the file again, through VS Code's Revert so the dirty marker goes too. */
  async reloadDiscardingEdits(): Promise<void> {
    const panel = this.delegate.panel();
    if (panel) {
      panel.reveal(panel.viewColumn, false);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    } else {
      await this.session.reload();
      this.changed(vscode.l10n.t('Reloaded from disk; the edits were discarded.'));
    }
  }

  private async write(): Promise<void> {
    const plans = this.session.edits.pendingPlans();
    // 1. The file must be what we read: never overwrite someone else's change silently.
    const change = await this.session.changedOnDiskText();
    if (change) await this.refuseChangedOnDisk(localMessage(change));
    // 2. Devices and read-only files: only with an explicit modal confirmation (allowDevice).
    let allowDevice = false;
    const confirm = this.session.saveNeedsConfirmation();
    if (confirm && plans.length > 0) {
      const write = vscode.l10n.t('Write to Device');
      const titles = plans.map((p) => planTitle(p)).join(', ');
      const answer = await vscode.window.showWarningMessage(
        plans.length === 1
          ? vscode.l10n.t('{0}. Write the unsaved repair ({1}) to it?', confirm, titles)
          : vscode.l10n.t('{0}. Write the {1} unsaved repairs ({2}) to it?', confirm, plans.length, titles),
        {
          modal: true,
          detail: vscode.l10n.t('Only the changed sectors are written, backup GPT first, with an undo journal. Make sure nothing uses the disk.'),
        },
        write,
      );
      if (answer !== write) throw new Error(vscode.l10n.t('Not saved: {0}; writing needs your confirmation ("{1}"). The edits are kept.', confirm, write));
      allowDevice = true;
    }
    this.saving = true;
    try {
      const result = await this.session.save({ allowDevice });
      if (result && result.entryId !== null) {
        vscode.window.setStatusBarMessage(
          `$(check) ${
            result.sectorsWritten === 1
              ? vscode.l10n.t('{0}: wrote 1 sector (undo journal {1})', this.name, path.basename(result.journalPath))
              : vscode.l10n.t('{0}: wrote {1} sectors (undo journal {2})', this.name, result.sectorsWritten, path.basename(result.journalPath))
          }`,
          8000,
        );
      }
    } catch (error) {
      if (error instanceof ImageChangedError || error instanceof ImageChangedOnDiskError) await this.refuseChangedOnDisk(localError(error));
      throw new Error(vscode.l10n.t('Not saved: {0}', localError(error)));
    } finally {
      this.saving = false;
    }
    this.changed(plans.length > 0 ? vscode.l10n.t('Saved: {0} written to {1}.', plans.map((p) => planTitle(p)).join(', '), this.name) : null);
  }

  /** Tells the user the file changed on disk and lets them choose; always throws (nothing is saved). */
  private async refuseChangedOnDisk(change: string): Promise<never> {
    const reload = vscode.l10n.t('Reload (discard my edits)');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} changed on disk since it was opened ({1}).', this.name, change),
      {
        modal: true,
        detail: vscode.l10n.t(
          'Saving now could overwrite those changes, so nothing was written. Reload to see the file as it is now (your unsaved repairs are dropped; you can apply them again), or cancel and use Save As to keep them in a copy.',
        ),
      },
      reload,
    );
    if (answer === reload) setTimeout(() => void this.reloadDiscardingEdits(), 0);
    throw new Error(vscode.l10n.t('Not saved: {0} changed on disk ({1}); nothing was written.', this.name, change));
  }

  dispose(): void {
    void this.session.close();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.editEmitter.dispose();
    this.changeEmitter.dispose();
  }
}
