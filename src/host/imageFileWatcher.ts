// Watches an open image's file: a change made outside this document reloads a
// clean document and asks about a dirty one. Our own other views (the compare
// view's slot copy and its undo) announce their writes (imageWrites.ts), so the
// editor follows them at once instead of waiting for the watcher.
import * as vscode from 'vscode';
import path from 'node:path';
import type { DiskImageDocument } from './diskImageDocument';
import { onDidWriteImage } from './imageWrites';

/** Starts watching `document`'s file; dispose to stop. */
export function watchImageFile(document: DiskImageDocument): vscode.Disposable {
  if (document.uri.scheme !== 'file') return new vscode.Disposable(() => undefined);
  const name = path.basename(document.uri.fsPath);
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(document.uri.fsPath)), name));
  let asking = false;
  const onChange = async (): Promise<void> => {
    if (document.saving || asking) return;
    const change = await document.session.changedOnDisk().catch(() => null);
    if (!change) return; // our own write, or nothing that matters
    if (!document.session.edits.dirty) {
      await document.session.reload();
      document.changed(vscode.l10n.t('{0} changed on disk ({1}); reloaded.', name, change));
      return;
    }
    asking = true;
    try {
      const reload = vscode.l10n.t('Reload (discard my edits)');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} changed on disk ({1}) while it has unsaved edits. Saving will be refused until you reload; Save As still works.', name, change),
        reload,
        vscode.l10n.t('Keep my edits'),
      );
      if (answer === reload) await document.reloadDiscardingEdits();
    } finally {
      asking = false;
    }
  };
  const announced = onDidWriteImage((file) => {
    if (file === path.resolve(document.uri.fsPath)) void onChange();
  });
  return vscode.Disposable.from(watcher, announced, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange));
}
