// The custom editor for disk images: an editable CustomEditorProvider whose
// edits are fix plans. It opens documents, gives each panel the webview bundle
// under a strict CSP and routes the webview's messages through the session
// (which validates them before touching the image); save, Save As, revert and
// backup are the document's. The status bar, diagnostics, file watcher, the
// Apply Fix command and the quick fixes are adapters of their own.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { DiskImageDocument } from './diskImageDocument';
import { EditorPanels } from './editorPanels';
import { ImageStatusBar } from './imageStatusBar';
import type { ImageDiagnostics } from './imageDiagnostics';
import { watchImageFile } from './imageFileWatcher';
import { confirmAutoSave, confirmOverwrite, registerApplyFixCommand } from './applyFixCommand';
import { registerSaveImageCommand } from './saveImageCommand';
import { registerEditorKeys } from './editorKeys';
import { copiedMessage, registerCopyAsCommands } from './copyAsCommands';
import { FixCodeActions } from './fixCodeActions';
import { ImageSearches } from './imageSearch';
import { readSettings, viewSettings } from './settings';
import { webviewHtml, makeNonce } from './webviewHtml';
import { localFixLabel, webviewL10n } from './localText';
import { encodeEmbeddedInit } from '../shared/protocol/editor';
import type { AppliedSpecsHost } from '../app/appliedSpecs';

/** The editor for *.img and *-flat.vmdk (priority default). */
export const VIEW_TYPE = 'diskx.diskImage';
/**
 * The same editor for *.vmdk, *.raw, *.bin, *.dd (priority option). A second view
 * type because priority is per contribution and VS Code rejects a view type
 * contributed twice ("Custom editor with id ... already registered").
 */
export const OPTION_VIEW_TYPE = 'diskx.diskImageOption';

type EditEvent = vscode.CustomDocumentEditEvent<DiskImageDocument>;

export class DiskImageEditorProvider {
  private readonly panels = new EditorPanels();
  private readonly documents = new Set<DiskImageDocument>();
  private readonly statusBar = new ImageStatusBar();
  private readonly searches = new ImageSearches(this.panels);
  /**
   * Edit events, one stream per view type: VS Code looks each event's document up under
   * the view type it came through, so a document opened as the default editor must never
   * be announced through the "Open With" registration (it would log "No custom document found").
   */
  private readonly editEmitters = new Map<string, vscode.EventEmitter<EditEvent>>();
  /** The last cursor or selection each document's views reported. */
  private readonly selections = new WeakMap<DiskImageDocument, { offset: number; length: number }>();
  private readonly openEmitter = new vscode.EventEmitter<DiskImageDocument>();
  /** A document was opened (its specs can be restored). */
  readonly onDidOpenDocument = this.openEmitter.event;

  private constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly diagnostics: ImageDiagnostics,
    private readonly specHost?: AppliedSpecsHost,
  ) {
    context.subscriptions.push(
      this.statusBar,
      this.searches,
      this.openEmitter,
      { dispose: () => this.editEmitters.forEach((emitter) => emitter.dispose()) },
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChange(event)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const document of this.documents) {
          document.session.editBlocked = null;
          document.changed(null);
        }
      }),
    );
  }

  /** Registers both view types, the quick fixes and the Apply Fix command. */
  static register(
    context: vscode.ExtensionContext,
    diagnostics: ImageDiagnostics,
    specHost?: AppliedSpecsHost,
  ): { provider: DiskImageEditorProvider; registration: vscode.Disposable } {
    const provider = new DiskImageEditorProvider(context, diagnostics, specHost);
    const options = {
      // Hidden tabs keep their scroll position and cache; the state is small (visible rows only).
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    };
    const registration = vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider.forViewType(VIEW_TYPE), options),
      vscode.window.registerCustomEditorProvider(OPTION_VIEW_TYPE, provider.forViewType(OPTION_VIEW_TYPE), options),
      FixCodeActions.register(diagnostics),
      registerApplyFixCommand(provider.panels, VIEW_TYPE),
      registerSaveImageCommand(provider.panels),
      registerEditorKeys(provider.panels),
      registerCopyAsCommands(provider.panels),
      ImageSearches.registerCommands(provider.panels),
    );
    return { provider, registration };
  }

  /** The document of the active image editor (else a visible one), or null. */
  activeDocument(): DiskImageDocument | null {
    const panel = this.panels.active ?? this.panels.entries().find(([p]) => p.active)?.[0] ?? this.panels.activeOrVisible();
    return panel ? (this.panels.documentOf(panel) ?? null) : null;
  }

  /** The open document of `uri`, or null. */
  documentFor(uri: vscode.Uri): DiskImageDocument | null {
    return [...this.documents].find((d) => d.uri.toString() === uri.toString()) ?? null;
  }

  /** Every open document. */
  openDocuments(): DiskImageDocument[] {
    return [...this.documents];
  }

  /** The last selection (or cursor) the views of `document` reported, or null. */
  selectionOf(document: DiskImageDocument): { offset: number; length: number } | null {
    return this.selections.get(document) ?? null;
  }

  private editEmitter(viewType: string): vscode.EventEmitter<EditEvent> {
    let emitter = this.editEmitters.get(viewType);
    if (!emitter) this.editEmitters.set(viewType, (emitter = new vscode.EventEmitter()));
    return emitter;
  }

  /** The provider as registered for one view type: its own edit stream; saving and the rest are the document's. */
  private forViewType(viewType: string): vscode.CustomEditorProvider<DiskImageDocument> {
    return {
      onDidChangeCustomDocument: this.editEmitter(viewType).event,
      openCustomDocument: (uri, openContext) => this.openCustomDocument(uri, openContext, viewType),
      resolveCustomEditor: (document, panel) => this.resolveCustomEditor(document, panel),
      saveCustomDocument: (document, cancellation) => document.save(cancellation),
      saveCustomDocumentAs: (document, destination, cancellation) => document.saveAs(destination, cancellation),
      revertCustomDocument: (document, cancellation) => document.revert(cancellation),
      backupCustomDocument: (document, context, cancellation) => document.backup(context.destination, cancellation),
    };
  }

  private async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext, viewType: string): Promise<DiskImageDocument> {
    const document: DiskImageDocument = await DiskImageDocument.create(
      uri,
      openContext.backupId,
      { panel: () => this.panels.panelsOf(document)[0] },
      this.specHost,
    );
    this.documents.add(document);
    this.publishDiagnostics(document);
    this.openEmitter.fire(document);
    const subscriptions: vscode.Disposable[] = [
      document.onDidEdit((event) => this.editEmitter(viewType).fire(event)),
      document.onDidChangeModel((notice) => void this.refresh(document, notice)),
      watchImageFile(document),
    ];
    document.onDidDispose(() => {
      this.documents.delete(document);
      this.diagnostics.delete(uri);
      for (const d of subscriptions) d.dispose();
    });
    return document;
  }

  private async resolveCustomEditor(document: DiskImageDocument, panel: vscode.WebviewPanel): Promise<void> {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    // The first init goes into the page itself: the view paints as soon as its script runs.
    const init = await document.session.initMessage(viewSettings(document.uri)).catch(() => null);
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: makeNonce((n) => randomBytes(n)),
      ...webviewL10n(),
      ...(init ? { embeddedInit: encodeEmbeddedInit(init, (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')) } : {}),
    });
    this.panels.add(panel, document);
    const disposables = [
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(panel, document, raw)),
      panel.onDidChangeViewState(() => this.updateStatusBar()),
    ];
    panel.onDidDispose(() => {
      this.searches.forget(panel);
      this.panels.remove(panel);
      for (const d of disposables) d.dispose();
      this.updateStatusBar();
    });
    this.updateStatusBar(panel);
  }

  /** One message from a panel's webview, answered through the session; only the host-only effects are done here. */
  private async onMessage(panel: vscode.WebviewPanel, document: DiskImageDocument, raw: unknown): Promise<void> {
    if (isApplyFix(raw) && !(await confirmOverwrite(document, raw.fixId))) {
      await this.panels.post(panel, {
        type: 'error',
        requestId: null,
        message: vscode.l10n.t('{0}: not applied (it overwrites a volume, and that was not confirmed).', localFixLabel(raw.fixId)),
      });
      return;
    }
    if (isApplyFix(raw) && !(await confirmAutoSave(document, raw.fixId))) {
      await this.panels.post(panel, {
        type: 'error',
        requestId: null,
        message: vscode.l10n.t('{0}: not applied (auto save would write it at once).', localFixLabel(raw.fixId)),
      });
      return;
    }
    const effect = await document.session.handle(raw, viewSettings(document.uri));
    switch (effect.kind) {
      case 'reply':
        await this.panels.post(panel, effect.message);
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(effect.text);
        vscode.window.setStatusBarMessage(copiedMessage(effect.format, effect.bytes), 2000);
        break;
      case 'selection':
        this.selections.set(document, { offset: effect.offset, length: effect.length });
        if (this.panels.active === panel) this.statusBar.showSelection(document, effect.offset, effect.length);
        break;
      case 'edit':
        document.recordEdit(effect.edit);
        break;
      case 'changed':
        document.changed(effect.notice);
        break;
      case 'find':
        void this.searches.run(panel, effect.requestId, effect.run);
        break;
      case 'cancelFind':
        this.searches.cancel(panel, effect.requestId);
        break;
      case 'none':
        break;
    }
    // The view is listening once it said "ready" (with or without a new init sent back).
    if ((raw as { type?: unknown } | null)?.type === 'ready') this.panels.markReady(panel);
  }

  /** Sends the new model to every panel of `document` and republishes its diagnostics. */
  private async refresh(document: DiskImageDocument, notice: string | null): Promise<void> {
    this.publishDiagnostics(document);
    await this.panels.postTo(document, await document.session.updateMessage(notice));
    this.updateStatusBar();
  }

  private onConfigurationChange(event: vscode.ConfigurationChangeEvent): void {
    const ours = event.affectsConfiguration('diskx');
    if (!ours && !event.affectsConfiguration('files.autoSave')) return;
    for (const [panel, document] of this.panels.entries()) {
      void this.panels.post(panel, { type: 'settings', settings: viewSettings(document.uri) });
      if (!ours) continue;
      if (!readSettings(document.uri).showDiagnostics) this.diagnostics.delete(document.uri);
      else this.publishDiagnostics(document);
    }
    if (event.affectsConfiguration('diskx.sectorSize') && this.panels.size > 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Disk Structure Explorer: reopen the image to read it with the new sector size.'));
    }
  }

  private updateStatusBar(candidate?: vscode.WebviewPanel): void {
    const active = this.panels.refreshActive(candidate);
    this.statusBar.show(active ? this.panels.documentOf(active) : undefined);
  }

  private publishDiagnostics(document: DiskImageDocument): void {
    if (readSettings(document.uri).showDiagnostics) this.diagnostics.set(document.uri, document.session.findings);
  }
}

function isApplyFix(raw: unknown): raw is { type: 'applyFix'; fixId: string } {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'applyFix' && typeof (raw as { fixId?: unknown }).fixId === 'string';
}
