// "Disk Structure Explorer: Save Disk Image": saves the image editor in front, or
// the one that was in front last while another tab is (the walkthrough's Save
// button runs with the walkthrough active, where File: Save would save the
// walkthrough, that is nothing). VS Code then calls the editor's save, the same
// path as Ctrl+S: the safe writer, journal first.
import * as vscode from 'vscode';
import type { EditorPanels } from './editorPanels';

export const SAVE_IMAGE_COMMAND = 'diskx.saveImage';

export function registerSaveImageCommand(panels: EditorPanels): vscode.Disposable {
  return vscode.commands.registerCommand(SAVE_IMAGE_COMMAND, async (): Promise<vscode.Uri | undefined> => {
    const panel = panels.activeOrRecent();
    const document = panel ? panels.documentOf(panel) : undefined;
    if (!document) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Disk Structure Explorer: open a disk image first (Save Disk Image saves the image editor in front).'),
      );
      return undefined;
    }
    return vscode.workspace.save(document.uri);
  });
}
