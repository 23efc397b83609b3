// The custom editor for disk images: an editable CustomEditorProvider whose
// edits are fix plans. Each panel gets the webview bundle under a strict CSP;
// every message from it goes through the session, which validates it before
// touching the image. Save writes the unsaved patches through the safe writer
// (core/write), after checking the file did not change on disk; Save As copies
// with a cancellable progress notification; backups (hot exit) hold the edit
// list as JSON. A CodeActionProvider and the "Apply Fix..." command offer the
// findings' fixes outside the webview; both show the preview in the editor.
import * as vscode from 'vscode';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DiskImageDocument } from './diskImageDocument';
import { ImageChangedOnDiskError } from '../app/editableImage';
import { CopyCancelledError } from '../core/write/index';
import { readSettings } from './settings';
import { statusText } from '../app/structureTree';
import { webviewHtml, makeNonce } from './webviewHtml';
import type { FixPreview, ToWebview, ViewSettings } from '../shared/protocol/editor';
import { encodeEmbeddedInit } from '../shared/protocol/editor';
import { fixLabel } from '../core/fixes/registry';
import type { Finding, FixId } from '../core/findings';
import { FIX_IDS } from '../core/findings';
import { ImageChangedError } from '../core/write/errors';
import { describeError } from '../core/errors';
import { onDidWriteImage } from './imageWrites';

/** The editor for *.img and *-flat.vmdk (priority default). */
export const VIEW_TYPE = 'diskx.diskImage';
/**
 * The same editor for *.vmdk, *.raw, *.bin, *.dd (priority option). A second view
 * type because priority is per contribution and VS Code rejects a view type
 * contributed twice ("Custom editor with id ... already registered").
 */
export const OPTION_VIEW_TYPE = 'diskx.diskImageOption';

/** Files the quick fixes are offered for (the diagnostics' URIs). */
const IMAGE_GLOB = '**/*.{img,vmdk,raw,bin,dd,iso}';

export class DiskImageEditorProvider implements vscode.CustomEditorProvider<DiskImageDocument>, vscode.CodeActionProvider {
  private readonly statusBar: vscode.StatusBarItem;
  private readonly panels = new Map<vscode.WebviewPanel, DiskImageDocument>();
  private readonly documents = new Set<DiskImageDocument>();
  /** Panels whose webview has not said "ready" yet, and a preview to show once it has. */
  private readonly waiting = new Map<vscode.WebviewPanel, { ready: Promise<void>; resolve: () => void }>();
  private activePanel: vscode.WebviewPanel | null = null;
  /**
   * Edit events, one stream per view type: VS Code looks each event's document up under
   * the view type it came through, so a document opened as the default editor must never
   * be announced through the "Open With" registration (it would log "No custom document found").
   */
  private readonly editEmitters = new Map<string, vscode.EventEmitter<vscode.CustomDocumentEditEvent<DiskImageDocument>>>();
  readonly onDidChangeCustomDocument = this.editEventsFor(VIEW_TYPE);

  static readonly codeActionKinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly diagnostics: vscode.DiagnosticCollection,
  ) {
    this.statusBar = vscode.window.createStatusBarItem('diskx.imageInfo', vscode.StatusBarAlignment.Right, 100);
    this.statusBar.name = 'Disk Structure Explorer: image';
    context.subscriptions.push(
      this.statusBar,
      { dispose: () => this.editEmitters.forEach((emitter) => emitter.dispose()) },
      vscode.workspace.onDidChangeConfiguration((event) => {
        const ours = event.affectsConfiguration('diskx');
        if (!ours && !event.affectsConfiguration('files.autoSave')) return;
        for (const [panel, document] of this.panels) {
          void this.post(panel, { type: 'settings', settings: viewSettings(document.uri) });
          if (!ours) continue;
          if (!readSettings(document.uri).showDiagnostics) this.diagnostics.delete(document.uri);
          else this.publishDiagnostics(document);
        }
        if (event.affectsConfiguration('diskx.sectorSize') && this.panels.size > 0) {
          void vscode.window.showInformationMessage('Disk Structure Explorer: reopen the image to read it with the new sector size.');
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const document of this.documents) {
          document.session.editBlocked = null;
          document.changed(null);
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
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider.forViewType(VIEW_TYPE), options),
      vscode.window.registerCustomEditorProvider(OPTION_VIEW_TYPE, provider.forViewType(OPTION_VIEW_TYPE), options),
      vscode.languages.registerCodeActionsProvider({ scheme: 'file', pattern: IMAGE_GLOB }, provider, { providedCodeActionKinds: DiskImageEditorProvider.codeActionKinds }),
      vscode.commands.registerCommand('diskx.applyFix', (target?: vscode.Uri | string, fixId?: string) => provider.applyFixCommand(target, fixId)),
    );
  }

  /** The edit events of documents opened through `viewType`. */
  editEventsFor(viewType: string): vscode.Event<vscode.CustomDocumentEditEvent<DiskImageDocument>> {
    return this.editEmitter(viewType).event;
  }

  private editEmitter(viewType: string): vscode.EventEmitter<vscode.CustomDocumentEditEvent<DiskImageDocument>> {
    let emitter = this.editEmitters.get(viewType);
    if (!emitter) this.editEmitters.set(viewType, (emitter = new vscode.EventEmitter()));
    return emitter;
  }

  /** This provider as registered for one view type: its own edit stream, documents tagged with it. */
  forViewType(viewType: string): vscode.CustomEditorProvider<DiskImageDocument> {
    return {
      onDidChangeCustomDocument: this.editEventsFor(viewType),
      openCustomDocument: (uri, openContext, token) => this.openCustomDocument(uri, openContext, token, viewType),
      resolveCustomEditor: (document, panel, token) => this.resolveCustomEditor(document, panel, token),
      saveCustomDocument: (document, token) => this.saveCustomDocument(document, token),
      saveCustomDocumentAs: (document, destination, token) => this.saveCustomDocumentAs(document, destination, token),
      revertCustomDocument: (document, token) => this.revertCustomDocument(document, token),
      backupCustomDocument: (document, context, token) => this.backupCustomDocument(document, context, token),
    };
  }

  // ---- documents ----

  async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext, _token: vscode.CancellationToken, viewType: string = VIEW_TYPE): Promise<DiskImageDocument> {
    const document = await DiskImageDocument.create(uri);
    if (openContext.backupId) {
      // Hot exit: the backup holds the unsaved edits (patches), never image bytes.
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(openContext.backupId)));
        const restored = await document.session.restoreBackup(text);
        if ('problem' in restored) void vscode.window.showWarningMessage(`Disk Structure Explorer: ${path.basename(uri.fsPath)}: ${restored.problem}.`);
      } catch (error) {
        void vscode.window.showWarningMessage(`Disk Structure Explorer: the unsaved edits of ${path.basename(uri.fsPath)} could not be restored (${describeError(error)}).`);
      }
    }
    this.documents.add(document);
    this.publishDiagnostics(document);
    const subscriptions: vscode.Disposable[] = [
      document.onDidEdit((event) => this.editEmitter(viewType).fire(event)),
      document.onDidChangeModel((notice) => void this.refresh(document, notice)),
      this.watch(document),
    ];
    document.onDidDispose(() => {
      this.documents.delete(document);
      this.diagnostics.delete(uri);
      subscriptions.forEach((d) => d.dispose());
    });
    return document;
  }

  /** Watches the file: an outside change reloads a clean document and asks about a dirty one. */
  private watch(document: DiskImageDocument): vscode.Disposable {
    if (document.uri.scheme !== 'file') return new vscode.Disposable(() => undefined);
    // Our other views announce their writes (onDidWriteImage); anything else comes through the watcher.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(document.uri.fsPath)), path.basename(document.uri.fsPath)));
    let asking = false;
    const onChange = async (): Promise<void> => {
      if (document.saving || asking) return;
      const change = await document.session.changedOnDisk().catch(() => null);
      if (!change) return; // our own write, or nothing that matters
      if (!document.session.edits.dirty) {
        await document.session.reload();
        document.changed(`${path.basename(document.uri.fsPath)} changed on disk (${change}); reloaded.`);
        return;
      }
      asking = true;
      try {
        const reload = 'Reload (discard my edits)';
        const answer = await vscode.window.showWarningMessage(
          `${path.basename(document.uri.fsPath)} changed on disk (${change}) while it has unsaved edits. Saving will be refused until you reload; Save As still works.`,
          reload,
          'Keep my edits',
        );
        if (answer === reload) await this.reloadDiscardingEdits(document);
      } finally {
        asking = false;
      }
    };
    const announced = onDidWriteImage((file) => {
      if (file === path.resolve(document.uri.fsPath)) void onChange();
    });
    return vscode.Disposable.from(watcher, announced, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange));
  }

  /** Drops the edits and reads the file again, through VS Code's Revert so the dirty marker goes too. */
  private async reloadDiscardingEdits(document: DiskImageDocument): Promise<void> {
    const panel = [...this.panels].find(([, d]) => d === document)?.[0];
    if (panel) {
      panel.reveal(panel.viewColumn, false);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    } else {
      await document.session.reload();
      document.changed('Reloaded from disk; the edits were discarded.');
    }
  }

  saveCustomDocument(document: DiskImageDocument, _cancellation: vscode.CancellationToken): Promise<void> {
    return document.serialize(() => this.save(document));
  }

  private async save(document: DiskImageDocument): Promise<void> {
    const name = path.basename(document.uri.fsPath);
    const plans = document.session.edits.pendingPlans();
    // 1. The file must be what we read: never overwrite someone else's change silently.
    const change = await document.session.changedOnDisk();
    if (change) await this.refuseChangedOnDisk(document, change);
    // 2. Devices and read-only files: only with an explicit modal confirmation (allowDevice).
    let allowDevice = false;
    const confirm = document.session.saveNeedsConfirmation();
    if (confirm && plans.length > 0) {
      const write = 'Write to Device';
      const answer = await vscode.window.showWarningMessage(
        `${confirm}. Write the ${plans.length} unsaved repair${plans.length === 1 ? '' : 's'} (${plans.map((p) => p.title).join(', ')}) to it?`,
        { modal: true, detail: 'Only the changed sectors are written, backup GPT first, with an undo journal. Make sure nothing uses the disk.' },
        write,
      );
      if (answer !== write) throw new Error(`Not saved: ${confirm}; writing needs your confirmation ("Write to Device"). The edits are kept.`);
      allowDevice = true;
    }
    document.saving = true;
    try {
      const result = await document.session.save({ allowDevice });
      if (result && result.entryId !== null) {
        vscode.window.setStatusBarMessage(`$(check) ${name}: wrote ${result.sectorsWritten} sector${result.sectorsWritten === 1 ? '' : 's'} (undo journal ${path.basename(result.journalPath)})`, 8000);
      }
    } catch (error) {
      if (error instanceof ImageChangedError || error instanceof ImageChangedOnDiskError) await this.refuseChangedOnDisk(document, describeError(error));
      throw new Error(`Not saved: ${describeError(error)}`);
    } finally {
      document.saving = false;
    }
    document.changed(plans.length > 0 ? `Saved: ${plans.map((p) => p.title).join(', ')} written to ${name}.` : null);
  }

  /** Tells the user the file changed on disk and lets them choose; always throws (nothing is saved). */
  private async refuseChangedOnDisk(document: DiskImageDocument, change: string): Promise<never> {
    const name = path.basename(document.uri.fsPath);
    const reload = 'Reload (discard my edits)';
    const answer = await vscode.window.showWarningMessage(
      `${name} changed on disk since it was opened (${change}).`,
      { modal: true, detail: 'Saving now could overwrite those changes, so nothing was written. Reload to see the file as it is now (your unsaved repairs are dropped; you can apply them again), or cancel and use Save As to keep them in a copy.' },
      reload,
    );
    if (answer === reload) setTimeout(() => void this.reloadDiscardingEdits(document), 0);
    throw new Error(`Not saved: ${name} changed on disk (${change}); nothing was written.`);
  }

  async saveCustomDocumentAs(document: DiskImageDocument, destination: vscode.Uri, cancellation: vscode.CancellationToken): Promise<void> {
    const size = document.session.source.size;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Saving a copy as ${path.basename(destination.fsPath)}`, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        await document.session.saveAs(destination.fsPath, {
          report: (done, total) => {
            const percent = Math.floor((done / total) * 100);
            if (percent > reported) {
              progress.report({ increment: percent - reported, message: `${formatBytes(done)} of ${formatBytes(total)}` });
              reported = percent;
            }
          },
          cancelled: () => token.isCancellationRequested || cancellation.isCancellationRequested,
        });
      },
    ).then(undefined, (error: unknown) => {
      if (error instanceof CopyCancelledError) throw new Error(`Not saved: ${error.message}`);
      throw error;
    });
    vscode.window.setStatusBarMessage(`$(check) Saved a ${formatBytes(size)} copy as ${path.basename(destination.fsPath)}`, 8000);
  }

  revertCustomDocument(document: DiskImageDocument, _cancellation: vscode.CancellationToken): Promise<void> {
    return document.serialize(async () => {
      await document.session.revert();
      document.changed('Reverted: the image is shown as it is on disk.');
    });
  }

  async backupCustomDocument(document: DiskImageDocument, context: vscode.CustomDocumentBackupContext, _cancellation: vscode.CancellationToken): Promise<vscode.CustomDocumentBackup> {
    await vscode.workspace.fs.writeFile(context.destination, new TextEncoder().encode(document.session.backupText()));
    return {
      id: context.destination.toString(),
      delete: () => void vscode.workspace.fs.delete(context.destination).then(undefined, () => undefined),
    };
  }

  // ---- panels ----

  async resolveCustomEditor(document: DiskImageDocument, panel: vscode.WebviewPanel, _token: vscode.CancellationToken): Promise<void> {
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
      ...(init ? { embeddedInit: encodeEmbeddedInit(init, (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')) } : {}),
    });
    this.panels.set(panel, document);
    let resolveReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    this.waiting.set(panel, { ready, resolve: resolveReady });
    const disposables: vscode.Disposable[] = [];
    disposables.push(
      webview.onDidReceiveMessage(async (raw: unknown) => {
        if (isApplyFix(raw) && !(await this.confirmAutoSave(document, raw.fixId))) {
          await this.post(panel, { type: 'error', requestId: null, message: `${fixLabel(raw.fixId)}: not applied (auto save would write it at once).` });
          return;
        }
        const effect = await document.session.handle(raw, viewSettings(document.uri));
        switch (effect.kind) {
          case 'reply':
            await this.post(panel, effect.message);
            if (effect.message.type === 'init') this.waiting.get(panel)?.resolve();
            break;
          case 'copy':
            await vscode.env.clipboard.writeText(effect.text);
            vscode.window.setStatusBarMessage(`Copied ${effect.text.length ? (effect.text.length + 1) / 3 : 0} bytes as hex`, 2000);
            break;
          case 'selection':
            if (this.activePanel === panel) this.statusBar.tooltip = this.tooltip(document, effect.offset, effect.length);
            break;
          case 'edit':
            document.recordEdit(effect.edit);
            break;
          case 'none':
            break;
        }
        // The view is listening once it said "ready" (with or without a new init sent back).
        if ((raw as { type?: unknown } | null)?.type === 'ready') this.waiting.get(panel)?.resolve();
      }),
      panel.onDidChangeViewState(() => this.updateStatusBar()),
    );
    panel.onDidDispose(() => {
      this.panels.delete(panel);
      this.waiting.delete(panel);
      if (this.activePanel === panel) this.activePanel = null;
      disposables.forEach((d) => d.dispose());
      this.updateStatusBar();
    });
    this.updateStatusBar(panel);
  }

  /** Sends the new model to every panel of `document` and republishes its diagnostics. */
  private async refresh(document: DiskImageDocument, notice: string | null): Promise<void> {
    this.publishDiagnostics(document);
    const message = await document.session.updateMessage(notice);
    for (const [panel, d] of this.panels) if (d === document) await this.post(panel, message);
    this.updateStatusBar();
  }

  private post(panel: vscode.WebviewPanel, message: ToWebview): Thenable<boolean> {
    return panel.webview.postMessage(message);
  }

  // ---- quick fixes and the Apply Fix command ----

  /** Quick fixes for our diagnostics on an image's URI: the same fixes as the buttons, applied after a preview. */
  provideCodeActions(textDocument: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return this.codeActionsFor(textDocument.uri, context.diagnostics);
  }

  /** The quick fixes for `diagnostics` of image `uri` (also used by tests of the wiring). */
  codeActionsFor(uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[]): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== 'diskx') continue;
      const fixes = fixesOfDiagnostic(diagnostic);
      for (const fixId of fixes) {
        if (seen.has(fixId)) continue;
        seen.add(fixId);
        const action = new vscode.CodeAction(`${fixLabel(fixId)}…`, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: 'diskx.applyFix', title: fixLabel(fixId), arguments: [uri.toString(), fixId] };
        actions.push(action);
      }
    }
    return actions;
  }

  /**
   * "Disk Structure Explorer: Apply Fix...": on the image `target` (default: the
   * active image editor) shows the preview of `fixId` (default: a quick pick of
   * the findings' fixes) in the editor, where Apply makes it an edit.
   */
  async applyFixCommand(target?: vscode.Uri | string, fixId?: string): Promise<void> {
    const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target instanceof vscode.Uri ? target : undefined;
    let panel = uri ? this.panelFor(uri) : this.activePanel ?? [...this.panels.keys()].find((p) => p.visible) ?? null;
    if (!panel && uri) {
      await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
      panel = this.panelFor(uri);
    }
    if (!panel) {
      void vscode.window.showInformationMessage('Disk Structure Explorer: open a disk image first (Apply Fix acts on the active image editor).');
      return;
    }
    const document = this.panels.get(panel)!;
    let id = fixId && (FIX_IDS as readonly string[]).includes(fixId) ? (fixId as FixId) : undefined;
    if (!id) {
      const offered = [...new Set(document.session.findings.flatMap((f) => f.fixes))];
      if (offered.length === 0) {
        void vscode.window.showInformationMessage(`Disk Structure Explorer: ${path.basename(document.uri.fsPath)} has no findings with a fix.`);
        return;
      }
      const items = offered.map((fix) => {
        const preview = document.session.preview(fix);
        const finding = document.session.findings.find((f) => f.fixes.includes(fix));
        return { label: fixLabel(fix), description: preview.ok ? `${preview.bytesChanged} bytes in ${preview.sectorsTouched} sectors` : `does not apply: ${preview.reason}`, detail: finding ? `${finding.code}: ${finding.message}` : undefined, fix };
      });
      const choice = await vscode.window.showQuickPick(items, { title: `Apply Fix to ${path.basename(document.uri.fsPath)}`, placeHolder: 'The fix is previewed in the editor first; Apply there makes it an unsaved edit' });
      if (!choice) return;
      id = choice.fix;
    }
    panel.reveal(panel.viewColumn, false);
    await this.waiting.get(panel)?.ready;
    await this.showPreview(panel, document.session.preview(id));
  }

  /**
   * With VS Code's auto save on (the default in browser VS Code and code-server), an
   * applied fix is written to the image moments later without Ctrl+S. A repair must
   * never reach the disk without the user knowing, so Apply asks first in that case.
   */
  private async confirmAutoSave(document: DiskImageDocument, fixId: string): Promise<boolean> {
    const mode = autoSaveMode(document.uri);
    if (mode === 'off' || document.session.blockedReason() !== null) return true;
    // A fix that cannot apply is refused by the session with its reason: nothing to confirm.
    if (!(FIX_IDS as readonly string[]).includes(fixId) || !document.session.plan(fixId as FixId).ok) return true;
    const when = mode === 'afterDelay' ? 'moments after you apply it' : 'as soon as the editor loses focus';
    const write = 'Apply and Write';
    const answer = await vscode.window.showWarningMessage(
      `Auto save is on (files.autoSave: ${mode}): "${fixLabel(fixId)}" will be written to ${path.basename(document.uri.fsPath)} ${when}, without Ctrl+S.`,
      {
        modal: true,
        detail: 'Only the changed sectors are written, backup GPT first, after an undo journal (Ctrl+Z and save, or diskx undo, reverts it). To apply repairs and review them before writing, set files.autoSave to "off".',
      },
      write,
    );
    return answer === write;
  }

  private async showPreview(panel: vscode.WebviewPanel, preview: FixPreview): Promise<void> {
    await this.post(panel, { type: 'fixPreview', preview });
  }

  private panelFor(uri: vscode.Uri): vscode.WebviewPanel | null {
    const matches = [...this.panels].filter(([, d]) => d.uri.toString() === uri.toString()).map(([p]) => p);
    return matches.find((p) => p.active) ?? matches[0] ?? null;
  }

  // ---- status bar ----

  private updateStatusBar(candidate?: vscode.WebviewPanel): void {
    const active = candidate?.active ? candidate : [...this.panels.keys()].find((p) => p.active) ?? null;
    this.activePanel = active;
    const document = active ? this.panels.get(active) : undefined;
    if (!document) {
      this.statusBar.hide();
      return;
    }
    const info = document.session.info();
    this.statusBar.text = `$(database) ${statusText(info)}${document.session.edits.dirty ? ' · unsaved repairs' : ''}`;
    this.statusBar.tooltip = this.tooltip(document, 0, 0);
    this.statusBar.show();
  }

  private tooltip(document: DiskImageDocument, offset: number, length: number): string {
    const info = document.session.info();
    const lines = [
      `${info.name}: ${info.sizeBytes.toLocaleString('en-US')} bytes`,
      `Scheme: ${info.scheme.toUpperCase()} · logical block ${info.sectorSize} B (${document.session.model?.sectorSizeSource ?? 'assumed'})`,
      info.profile ? `Profile: ${info.profile}` : 'Profile: none recognised',
      info.readOnly ? 'Read-only: saving asks before writing to it' : '',
    ];
    if (length > 0) lines.push(`Selection: 0x${offset.toString(16)} +${length} bytes`);
    return lines.filter(Boolean).join('\n');
  }

  private publishDiagnostics(document: DiskImageDocument): void {
    if (!readSettings(document.uri).showDiagnostics) return;
    this.diagnostics.set(document.uri, document.session.findings.map(toDiagnostic));
  }
}

/**
 * The fixes each finding code offered when it was last published. Diagnostics
 * travel through VS Code as plain markers (code, message, source), so the fix
 * ids are remembered here by code; the preview says when one does not apply.
 */
const fixesByCode = new Map<string, FixId[]>();

function fixesOfDiagnostic(diagnostic: vscode.Diagnostic): FixId[] {
  const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code ?? '');
  return fixesByCode.get(code) ?? [];
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A finding as a Problems-panel entry: code = finding code, source "diskx". */
export function toDiagnostic(finding: Finding): vscode.Diagnostic {
  const severity = finding.severity === 'error' ? vscode.DiagnosticSeverity.Error : finding.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${finding.message} (byte 0x${finding.offset.toString(16)}, ${finding.length} bytes)`, severity);
  diagnostic.code = finding.code;
  diagnostic.source = 'diskx';
  if (finding.fixes.length > 0) fixesByCode.set(finding.code, [...new Set([...(fixesByCode.get(finding.code) ?? []), ...finding.fixes])]);
  return diagnostic;
}

function isApplyFix(raw: unknown): raw is { type: 'applyFix'; fixId: string } {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'applyFix' && typeof (raw as { fixId?: unknown }).fixId === 'string';
}

/** VS Code's files.autoSave for `uri` ("off", "afterDelay", "onFocusChange", "onWindowChange"). */
function autoSaveMode(uri: vscode.Uri): string {
  return vscode.workspace.getConfiguration('files', uri).get<string>('autoSave', 'off');
}

/** What the webview of `uri` needs to know of the settings. */
function viewSettings(uri: vscode.Uri): ViewSettings {
  return { bytesPerRow: readSettings(uri).bytesPerRow, autoSave: autoSaveMode(uri) !== 'off' };
}
