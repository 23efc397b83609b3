// Copy As (palette and the hex view's context menu): each command asks the
// active disk image editor's webview to copy its selection in one format; the
// webview answers with a checked copyHex message and the host writes the text.
import * as vscode from 'vscode';
import type { CopyFormat } from '../shared/protocol/editor';
import type { EditorPanels } from './editorPanels';

/** Command ids by format (package.json contributes them, scoped to our editors). */
export const COPY_AS_COMMANDS: Record<CopyFormat, string> = {
  hex: 'diskx.copyAsHex',
  c: 'diskx.copyAsCArray',
  base64: 'diskx.copyAsBase64',
  text: 'diskx.copyAsText',
};

export function registerCopyAsCommands(panels: EditorPanels): vscode.Disposable {
  return vscode.Disposable.from(
    ...(Object.entries(COPY_AS_COMMANDS) as [CopyFormat, string][]).map(([format, id]) =>
      vscode.commands.registerCommand(id, async () => {
        const panel = panels.refreshActive() ?? panels.activeOrVisible();
        if (panel) await panels.post(panel, { type: 'copyAs', format });
      }),
    ),
  );
}

/** The status bar note after a copy. */
export function copiedMessage(format: CopyFormat, bytes: number): string {
  switch (format) {
    case 'hex':
      return vscode.l10n.t('Copied {0} bytes as hex', bytes);
    case 'c':
      return vscode.l10n.t('Copied {0} bytes as a C array', bytes);
    case 'base64':
      return vscode.l10n.t('Copied {0} bytes as base64', bytes);
    case 'text':
      return vscode.l10n.t('Copied {0} bytes as text', bytes);
  }
}
