// "Create Sample Disk Image": the walkthrough's first step. Writes the compacted
// ESXi 5.0 sample (the same file `npm start` makes) into the first workspace
// folder, or a temp folder when none is open, never over an existing file, and
// opens it in the disk image editor. Returns the file's URI (for tests and
// other commands).
import * as vscode from 'vscode';
import os from 'node:os';
import path from 'node:path';
import { createSampleImage } from '../app/sampleImage';
import { VIEW_TYPE } from './diskImageEditorProvider';
import { localError } from './localText';

export const CREATE_SAMPLE_COMMAND = 'diskx.createSampleImage';

export function registerSampleCommand(): vscode.Disposable {
  return vscode.commands.registerCommand(CREATE_SAMPLE_COMMAND, async (): Promise<vscode.Uri | undefined> => {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? path.join(os.tmpdir(), 'diskx-samples');
    let file: string;
    try {
      file = createSampleImage(folder);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Disk Structure Explorer: could not write the sample image: {0}', localError(error)));
      return undefined;
    }
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Wrote {0}: an 8 GiB ESXi 5.0 boot disk whose GPT entries were compacted (a sparse file, a few KiB on disk). The Findings pane says what is wrong.',
        file,
      ),
    );
    return uri;
  });
}
