// Extension entry point. The custom editor, diagnostics and quick fixes build
// on src/core; for now the command palette offers a check of any image file.
import * as vscode from 'vscode';
import { analyzeImage } from '../core/index';
import { describeError } from '../core/errors';

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('diskx');
  context.subscriptions.push(
    diagnostics,
    vscode.commands.registerCommand('diskx.checkImage', async (uri?: vscode.Uri) => {
      const target = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Check Disk Image' }))?.[0];
      if (!target) return;
      try {
        const { opened, findings } = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Checking ${vscode.workspace.asRelativePath(target)}` },
          () => analyzeImage(target.fsPath),
        );
        await opened.source.close();
        diagnostics.set(
          target,
          findings.map((f) => {
            const severity = f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
            const diagnostic = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${f.message} (byte 0x${f.offset.toString(16)})`, severity);
            diagnostic.code = f.code;
            diagnostic.source = 'diskx';
            return diagnostic;
          }),
        );
        const errors = findings.filter((f) => f.severity !== 'info').length;
        void vscode.window.showInformationMessage(errors ? `${errors} problem(s) found; see the Problems panel.` : 'No problems found.');
      } catch (error) {
        void vscode.window.showErrorMessage(`Disk Structure Explorer: ${describeError(error)}`);
      }
    }),
  );
}

export function deactivate(): void {}
