// Extension entry point: the disk image custom editor, the Open Disk Image
// command (files and block devices) and the Check Disk Image command.
import * as vscode from 'vscode';
import { analyzeImage } from '../core/index';
import { readSettings } from './settings';
import { DiskImageEditorProvider, VIEW_TYPE } from './diskImageEditorProvider';
import { ImageDiagnostics } from './imageDiagnostics';
import { registerCompare } from './compare/compareCommands';
import { SpecRuntime } from './specRuntime';
import { registerSpecCommands } from './specCommands';
import { registerScanCommand } from './scanCommand';
import { registerSampleCommand } from './sampleCommand';
import { localError } from './localText';

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = new ImageDiagnostics();
  const specRuntime = new SpecRuntime();
  const { provider, registration } = DiskImageEditorProvider.register(context, diagnostics, specRuntime);
  context.subscriptions.push(
    diagnostics,
    specRuntime,
    registration,
    registerSpecCommands(context, provider, specRuntime),
    registerScanCommand(provider),
    registerSampleCommand(),
    registerCompare(context),
    vscode.commands.registerCommand('diskx.openImage', (uri?: vscode.Uri) => openImageCommand(uri)),
    vscode.commands.registerCommand('diskx.checkImage', async (uri?: vscode.Uri) => {
      const target = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, title: vscode.l10n.t('Check Disk Image') }))?.[0];
      if (!target) return;
      try {
        const { opened, findings } = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking {0}', vscode.workspace.asRelativePath(target)) },
          () => analyzeImage(target.fsPath, { open: { allowOutsideExtents: readSettings(target).allowOutsideExtents } }),
        );
        await opened.source.close();
        diagnostics.set(target, findings);
        const errors = findings.filter((f) => f.severity !== 'info').length;
        void vscode.window.showInformationMessage(
          errors ? vscode.l10n.t('{0} problem(s) found; see the Problems panel.', errors) : vscode.l10n.t('No problems found.'),
        );
      } catch (error) {
        void vscode.window.showErrorMessage(`Disk Structure Explorer: ${localError(error)}`);
      }
    }),
  );
}

/** Opens a file or a block device (typed path, e.g. /dev/sdb; always read-only) in the disk image editor. */
async function openImageCommand(uri?: vscode.Uri): Promise<void> {
  let target = uri;
  if (!target) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: `$(file) ${vscode.l10n.t('Choose an image file...')}`, id: 'file' },
        { label: `$(server) ${vscode.l10n.t('Enter a path (image file or block device such as /dev/sdb)...')}`, id: 'path' },
      ],
      { title: vscode.l10n.t('Open Disk Image') },
    );
    if (!choice) return;
    if (choice.id === 'file') {
      target = (
        await vscode.window.showOpenDialog({
          canSelectMany: false,
          title: vscode.l10n.t('Open Disk Image'),
          filters: { [vscode.l10n.t('Disk images')]: ['img', 'vmdk', 'raw', 'bin', 'dd', 'iso'], [vscode.l10n.t('All files')]: ['*'] },
        })
      )?.[0];
    } else {
      const typed = await vscode.window.showInputBox({
        title: vscode.l10n.t('Open Disk Image'),
        prompt: vscode.l10n.t('Path of an image file or block device (block devices open read-only)'),
        placeHolder: '/dev/sdb',
        validateInput: (value) => (value.trim().length === 0 ? vscode.l10n.t('Enter a path') : undefined),
      });
      if (typed) target = vscode.Uri.file(typed.trim());
    }
  }
  if (!target) return;
  try {
    await vscode.commands.executeCommand('vscode.openWith', target, VIEW_TYPE);
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Disk Structure Explorer: cannot open {0}: {1}', target.fsPath, localError(error)));
  }
}

export function deactivate(): void {}
