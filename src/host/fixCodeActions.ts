// Quick fixes on the Problems panel entries of an image: the same fixes as the
// finding's buttons, each running "Apply Fix..." for that image and fix, which
// shows the preview in the editor first.
import * as vscode from 'vscode';
import { localFixLabel } from './localText';
import type { ImageDiagnostics } from './imageDiagnostics';
import { APPLY_FIX_COMMAND } from './applyFixCommand';

/** Files the quick fixes are offered for (the diagnostics' URIs). */
const IMAGE_GLOB = '**/*.{img,vmdk,raw,bin,dd,iso}';

export class FixCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: ImageDiagnostics) {}

  static register(diagnostics: ImageDiagnostics): vscode.Disposable {
    return vscode.languages.registerCodeActionsProvider({ scheme: 'file', pattern: IMAGE_GLOB }, new FixCodeActions(diagnostics), {
      providedCodeActionKinds: FixCodeActions.kinds,
    });
  }

  provideCodeActions(textDocument: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return this.codeActionsFor(textDocument.uri, context.diagnostics);
  }

  /** The quick fixes for `diagnostics` of image `uri`, one per fix id. */
  codeActionsFor(uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[]): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const diagnostic of diagnostics) {
      for (const fixId of this.diagnostics.fixesOf(uri, diagnostic)) {
        if (seen.has(fixId)) continue;
        seen.add(fixId);
        const label = localFixLabel(fixId);
        const action = new vscode.CodeAction(`${label}…`, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: APPLY_FIX_COMMAND, title: label, arguments: [uri.toString(), fixId] };
        actions.push(action);
      }
    }
    return actions;
  }
}
