// Keys the disk image editor owns inside VS Code: keybindings scoped to our
// custom editors (package.json `contributes.keybindings`) run these commands,
// which tell the active editor's webview what to focus. Without them a webview
// forwards Ctrl+G to the workbench, which opens its text Go to Line.
import * as vscode from 'vscode';
import type { EditorPanels } from './editorPanels';

/** Focuses the go-to field of the active disk image editor (Ctrl+G). */
export const GO_TO_COMMAND = 'diskx.goTo';
/** Focuses the hex view of the active disk image editor. */
export const FOCUS_HEX_COMMAND = 'diskx.focusHex';

export function registerEditorKeys(panels: EditorPanels): vscode.Disposable {
  const post = (target: 'goto' | 'hex') => async (): Promise<void> => {
    const panel = panels.refreshActive() ?? panels.activeOrVisible();
    if (panel) await panels.post(panel, { type: 'focus', target });
  };
  return vscode.Disposable.from(vscode.commands.registerCommand(GO_TO_COMMAND, post('goto')), vscode.commands.registerCommand(FOCUS_HEX_COMMAND, post('hex')));
}
