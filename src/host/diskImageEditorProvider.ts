// The custom editor for disk images: a read-only provider today (issue 6 makes
// it a CustomEditorProvider with edits). Each panel gets the webview bundle
// under a strict CSP; every message from it goes through the session, which
// validates it before touching the image.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { DiskImageDocument } from './diskImageDocument';
import { readSettings } from './settings';
import { statusText } from './structureTree';
import { webviewHtml, makeNonce } from './webviewHtml';
import type { ToWebview } from '../shared/protocol';
import type { Finding } from '../core/findings';

/** The editor for *.img and *-flat.vmdk (priority default). */
export const VIEW_TYPE = 'diskx.diskImage';
/**
 * The same editor for *.vmdk, *.raw, *.bin, *.dd (priority option). A second view
 * type because priority is per contribution and VS Code rejects a view type
 * contributed twice ("Custom editor with id ... already registered").
 */
export const OPTION_VIEW_TYPE = 'diskx.diskImageOption';

export class DiskImageEditorProvider implements vscode.CustomReadonlyEditorProvider<DiskImageDocument> {
  private readonly statusBar: vscode.StatusBarItem;
  private readonly panels = new Map<vscode.WebviewPanel, DiskImageDocument>();
  private activePanel: vscode.WebviewPanel | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly diagnostics: vscode.DiagnosticCollection,
  ) {
    this.statusBar = vscode.window.createStatusBarItem('diskx.imageInfo', vscode.StatusBarAlignment.Right, 100);
    this.statusBar.name = 'Disk Structure Explorer: image';
    context.subscriptions.push(
      this.statusBar,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('diskx')) return;
        for (const [panel, document] of this.panels) {
          const settings = readSettings(document.uri);
          void this.post(panel, { type: 'settings', settings: { bytesPerRow: settings.bytesPerRow } });
          if (!settings.showDiagnostics) this.diagnostics.delete(document.uri);
          else this.publishDiagnostics(document);
        }
        if (event.affectsConfiguration('diskx.sectorSize') && this.panels.size > 0) {
          void vscode.window.showInformationMessage('Disk Structure Explorer: reopen the image to read it with the new sector size.');
        }
      }),
    );
  }

  static register(context: vscode.ExtensionContext, diagnostics: vscode.DiagnosticCollection): vscode.Disposable {
    const provider = new DiskImageEditorProvider(context, diagnostics);
    const options = {
      // Hidden tabs keep their scroll position and cache; the state is small (visible rows only).
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    };
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, options),
      vscode.window.registerCustomEditorProvider(OPTION_VIEW_TYPE, provider, options),
    );
  }

  async openCustomDocument(uri: vscode.Uri, _openContext: vscode.CustomDocumentOpenContext, _token: vscode.CancellationToken): Promise<DiskImageDocument> {
    const document = await DiskImageDocument.create(uri);
    this.publishDiagnostics(document);
    document.onDidDispose(() => this.diagnostics.delete(uri));
    return document;
  }

  async resolveCustomEditor(document: DiskImageDocument, panel: vscode.WebviewPanel, _token: vscode.CancellationToken): Promise<void> {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce((n) => randomBytes(n)),
    });
    this.panels.set(panel, document);
    const disposables: vscode.Disposable[] = [];
    disposables.push(
      webview.onDidReceiveMessage(async (raw: unknown) => {
        const effect = await document.session.handle(raw, { bytesPerRow: readSettings(document.uri).bytesPerRow });
        switch (effect.kind) {
          case 'reply':
            await this.post(panel, effect.message);
            break;
          case 'copy':
            await vscode.env.clipboard.writeText(effect.text);
            vscode.window.setStatusBarMessage(`Copied ${effect.text.length ? (effect.text.length + 1) / 3 : 0} bytes as hex`, 2000);
            break;
          case 'selection':
            if (this.activePanel === panel) this.statusBar.tooltip = this.tooltip(document, effect.offset, effect.length);
            break;
          case 'none':
            break;
        }
      }),
      panel.onDidChangeViewState(() => this.updateStatusBar()),
    );
    panel.onDidDispose(() => {
      this.panels.delete(panel);
      if (this.activePanel === panel) this.activePanel = null;
      disposables.forEach((d) => d.dispose());
      this.updateStatusBar();
    });
    this.updateStatusBar(panel);
  }

  private post(panel: vscode.WebviewPanel, message: ToWebview): Thenable<boolean> {
    return panel.webview.postMessage(message);
  }

  private updateStatusBar(candidate?: vscode.WebviewPanel): void {
    const active = candidate?.active ? candidate : [...this.panels.keys()].find((p) => p.active) ?? null;
    this.activePanel = active;
    const document = active ? this.panels.get(active) : undefined;
    if (!document) {
      this.statusBar.hide();
      return;
    }
    const info = document.session.info();
    this.statusBar.text = `$(database) ${statusText(info)}`;
    this.statusBar.tooltip = this.tooltip(document, 0, 0);
    this.statusBar.show();
  }

  private tooltip(document: DiskImageDocument, offset: number, length: number): string {
    const info = document.session.info();
    const lines = [
      `${info.name}: ${info.sizeBytes.toLocaleString('en-US')} bytes`,
      `Scheme: ${info.scheme.toUpperCase()} · logical block ${info.sectorSize} B (${document.session.model?.sectorSizeSource ?? 'assumed'})`,
      info.profile ? `Profile: ${info.profile}` : 'Profile: none recognised',
      info.readOnly ? 'Read-only' : '',
    ];
    if (length > 0) lines.push(`Selection: 0x${offset.toString(16)} +${length} bytes`);
    return lines.filter(Boolean).join('\n');
  }

  private publishDiagnostics(document: DiskImageDocument): void {
    if (!readSettings(document.uri).showDiagnostics) return;
    this.diagnostics.set(document.uri, document.session.findings.map(toDiagnostic));
  }
}

/** A finding as a Problems-panel entry: code = finding code, source "diskx". */
export function toDiagnostic(finding: Finding): vscode.Diagnostic {
  const severity = finding.severity === 'error' ? vscode.DiagnosticSeverity.Error : finding.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${finding.message} (byte 0x${finding.offset.toString(16)}, ${finding.length} bytes)`, severity);
  diagnostic.code = finding.code;
  diagnostic.source = 'diskx';
  return diagnostic;
}
