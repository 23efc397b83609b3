// The comparison view: one webview panel per pair of images, driven by a
// CompareSession. The host owns the bytes and every action that takes long or
// writes: the whole-image byte scan runs here with a cancellable progress
// notification (cancel -> AbortSignal), and the copy-slots fix is written to A
// only after a modal confirmation, as an edit saved like an editor's fix (the
// session's EditableImage), with Undo offered afterwards (the reverse plan,
// saved the same way). Each write is followed by a refresh.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FixPlan } from '../../core/patch';
import { htmlLanguage, makeNonce } from '../webviewHtml';
import { journalDir, readSettings } from '../settings';
import { compareHtml } from './compareHtml';
import { hostLocalizer, localError, localMessage, planDescription, webviewL10n } from '../localText';
import { escapeHtml } from '../../shared/html';
import { CompareSession } from '../../app/compareSession';
import { scanLine } from './compareText';
import { formatBytes } from '../../shared/sizeText';
import type { CompareSettings, ToCompareWebview } from '../../shared/protocol/compare';
import { assertNever } from '../../shared/protocol/compare';
import { announceImageWrite } from '../imageWrites';

/** The webview panel type (also the id of its state, should it ever be restored). */
export const COMPARE_VIEW_TYPE = 'diskx.compare';

/** How often the scan's progress reaches the notification and the webview. */
const PROGRESS_INTERVAL_MS = 100;

export class ComparePanel {
  private static readonly open = new Set<ComparePanel>();
  private scanController: AbortController | null = null;
  private disposed = false;
  /** Messages are handled one at a time, so a refresh never races a read. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    context: vscode.ExtensionContext,
    private readonly panel: vscode.WebviewPanel,
    private session: CompareSession,
  ) {
    ComparePanel.open.add(this);
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    webview.html = compareHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'compare.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'compare.css')).toString(),
      nonce: makeNonce((n) => randomBytes(n)),
      title: panel.title,
      ...webviewL10n(),
    });
    const subscriptions = [
      webview.onDidReceiveMessage((raw: unknown) => {
        this.queue = this.queue
          .then(() => this.onMessage(raw))
          .catch((error: unknown) => {
            void this.post({ type: 'error', requestId: null, message: localError(error) });
          });
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('diskx.hex.bytesPerRow')) void this.post(this.session.initMessage(this.settings()));
      }),
    ];
    panel.onDidDispose(() => {
      this.disposed = true;
      ComparePanel.open.delete(this);
      this.scanController?.abort();
      for (const s of subscriptions) s.dispose();
      void this.session.close();
    });
  }

  /** Opens a comparison of A (`a`, the image a fix writes to) with B (`b`, the reference). */
  static async show(context: vscode.ExtensionContext, a: vscode.Uri, b: vscode.Uri): Promise<void> {
    if (a.toString() === b.toString()) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Disk Structure Explorer: choose two different images to compare.'));
      return;
    }
    const { sectorSize, allowOutsideExtents } = readSettings(a);
    let session: CompareSession;
    try {
      session = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading both images') }, () =>
        CompareSession.open(a.fsPath, b.fsPath, {
          ...journalOptions(sectorSize),
          open: { allowOutsideExtents },
          byteDiffWorker: byteDiffWorkerPath(context),
          l10n: hostLocalizer(),
        }),
      );
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Disk Structure Explorer cannot compare {0} with {1}: {2}', a.fsPath, b.fsPath, localError(error)));
      return;
    }
    const title = `${baseName(a.fsPath)} ↔ ${baseName(b.fsPath)}`;
    const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')],
    });
    panel.iconPath = new vscode.ThemeIcon('diff');
    new ComparePanel(context, panel, session);
  }

  /**
   * Restores a comparison VS Code kept across a reload (its webview state holds the two
   * paths). If either image cannot be read any more, the panel says so instead.
   */
  static async revive(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const paths = state as { a?: unknown; b?: unknown } | null | undefined;
    const a = typeof paths?.a === 'string' && path.isAbsolute(paths.a) ? paths.a : null;
    const b = typeof paths?.b === 'string' && path.isAbsolute(paths.b) ? paths.b : null;
    const { sectorSize, allowOutsideExtents } = readSettings(a ? vscode.Uri.file(a) : undefined);
    let session: CompareSession | null = null;
    let problem = vscode.l10n.t('this comparison was saved without its two images');
    if (a && b) {
      try {
        session = await CompareSession.open(a, b, {
          ...journalOptions(sectorSize),
          open: { allowOutsideExtents },
          byteDiffWorker: byteDiffWorkerPath(context),
          l10n: hostLocalizer(),
        });
      } catch (error) {
        problem = localError(error);
      }
    }
    if (!session) {
      // Plain text, no script: nothing to run in a panel that has nothing to show.
      panel.webview.options = { enableScripts: false, localResourceRoots: [] };
      panel.webview.html = `<!DOCTYPE html><html lang="${htmlLanguage(vscode.env.language)}"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${escapeHtml(vscode.l10n.t('Disk Structure Explorer could not restore this comparison: {0}. Close it and compare again.', problem))}</p></body></html>`;
      return;
    }
    panel.iconPath = new vscode.ThemeIcon('diff');
    new ComparePanel(context, panel, session);
  }

  /** Closes every comparison (deactivation). */
  static disposeAll(): void {
    for (const p of [...ComparePanel.open]) p.panel.dispose();
  }

  private settings(): CompareSettings {
    return { bytesPerRow: readSettings(vscode.Uri.file(this.session.a.path)).bytesPerRow };
  }

  private post(message: ToCompareWebview): Thenable<boolean> {
    if (this.disposed) return Promise.resolve(false);
    return this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const effect = await this.session.handle(raw, this.settings());
    switch (effect.kind) {
      case 'reply':
        await this.post(effect.message);
        break;
      case 'scan':
        void this.runScan(); // not awaited: reads keep flowing while the scan runs
        break;
      case 'cancelScan':
        this.scanController?.abort();
        break;
      case 'applyFix':
        await this.applyFix(effect.plan);
        break;
      case 'refresh':
        await this.reload(false, null);
        break;
      case 'swap':
        await this.reload(true, null);
        break;
      case 'none':
        break;
      default:
        assertNever(effect, 'effect');
    }
  }

  /** The whole-image byte scan with a cancellable progress notification. */
  private async runScan(): Promise<void> {
    if (this.scanController) return;
    const controller = new AbortController();
    this.scanController = controller;
    const session = this.session;
    await this.post({ type: 'scanState', state: 'running', summary: null, message: null });
    try {
      const summary = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Comparing the bytes of {0} and {1}', baseName(session.a.path), baseName(session.b.path)),
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
          let reported = 0;
          let last = 0;
          return session.scan(controller.signal, (done, total) => {
            const now = Date.now();
            if (now - last < PROGRESS_INTERVAL_MS && done < total) return;
            last = now;
            const percent = total > 0 ? (done / total) * 100 : 100;
            progress.report({ increment: percent - reported, message: vscode.l10n.t('{0} of {1}', formatBytes(done), formatBytes(total)) });
            reported = percent;
            void this.post({ type: 'scanProgress', done, total });
          });
        },
      );
      await this.post({ type: 'scanState', state: 'done', summary, message: null });
      void vscode.window.setStatusBarMessage(localMessage(scanLine(summary)), 5000);
    } catch (error) {
      if (controller.signal.aborted) await this.post({ type: 'scanState', state: 'cancelled', summary: null, message: vscode.l10n.t('Byte scan cancelled.') });
      else await this.post({ type: 'scanState', state: 'failed', summary: null, message: localError(error) });
    } finally {
      if (this.scanController === controller) this.scanController = null;
    }
  }

  /** Confirms (modal: this writes to A), writes through the safe writer, refreshes, offers Undo. */
  private async applyFix(plan: FixPlan): Promise<void> {
    const a = baseName(this.session.a.path);
    const b = baseName(this.session.b.path);
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Disk Structure Explorer: repairs need a trusted workspace (Restricted Mode opens images for viewing only).'),
      );
      return;
    }
    const apply = vscode.l10n.t('Write to A');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Copy the partition slots of {0} into {1}?', b, a),
      {
        modal: true,
        detail: `${planDescription(plan)}\n\n${vscode.l10n.t('This writes {0} patch(es) to {1}. The old bytes go to an undo journal first; Undo is offered afterwards.', plan.patches.length, this.session.a.path)}`,
      },
      apply,
    );
    if (answer !== apply) return;
    this.scanController?.abort();
    try {
      const written = await this.session.applyFix(plan);
      announceImageWrite(this.session.a.path);
      await this.reload(false, vscode.l10n.t('Wrote {0} sector(s) to {1} (backup first); undo journal {2}.', written.sectorsWritten, a, written.journalPath));
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Disk Structure Explorer: nothing was written to {0}: {1}', a, localError(error)));
      await this.reload(false, null);
      return;
    }
    // Not awaited: the offer stays up while the webview keeps reading bytes.
    void this.offerUndo(a, b);
  }

  /** "Undo" on the notification writes the old bytes back (the session's undo), in the message queue. */
  private async offerUndo(a: string, b: string): Promise<void> {
    const undo = vscode.l10n.t('Undo');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Copied the slots of {0} into {1}.', b, a), undo);
    if (choice !== undo || this.disposed) return;
    this.queue = this.queue.then(async () => {
      try {
        const undone = await this.session.undo();
        announceImageWrite(this.session.a.path);
        await this.reload(false, vscode.l10n.t('Undid the repair of {0} ({1} sector(s) restored).', a, undone.sectorsWritten));
        void vscode.window.showInformationMessage(vscode.l10n.t('Undid the slot copy on {0}.', a));
      } catch (error) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Disk Structure Explorer: could not undo on {0}: {1}', a, localError(error)));
      }
    });
    await this.queue;
  }

  /** Reads both images afresh (after a write, on request, or swapped) and sends a new init. */
  private async reload(swap: boolean, notice: string | null): Promise<void> {
    this.scanController?.abort();
    const old = this.session;
    let next: CompareSession;
    try {
      next = await old.reopen(swap);
    } catch (error) {
      await this.post({ type: 'error', requestId: null, message: vscode.l10n.t('cannot re-read the images: {0}', localError(error)) });
      return;
    }
    this.session = next;
    next.notice = notice;
    await old.close();
    if (swap) this.panel.title = `${baseName(next.a.path)} ↔ ${baseName(next.b.path)}`;
    await this.post(next.initMessage(this.settings()));
  }
}

function journalOptions(sectorSize: number | undefined): { sectorSize?: number; journalDir?: string } {
  const journal = journalDir();
  return { ...(sectorSize ? { sectorSize } : {}), ...(journal ? { journalDir: journal } : {}) };
}

/** The bundled byte-diff worker: Scan all bytes runs there, off the extension host's main thread. */
function byteDiffWorkerPath(context: vscode.ExtensionContext): string {
  return vscode.Uri.joinPath(context.extensionUri, 'dist', 'byteDiffWorker.js').fsPath;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
