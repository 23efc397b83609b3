// The editor's search in VS Code: Ctrl+F / F3 / Shift+F3 (keybindings scoped to
// our custom editors) open or step the active view's find bar, and each search
// the session plans runs under a cancellable progress notification, one per
// view at a time (a new search or the bar's Stop cancels the running one).
import * as vscode from 'vscode';
import type { EditorPanels } from './editorPanels';
import type { ToWebview } from '../shared/protocol/editor';

type SearchRun = (signal: AbortSignal, onProgress: (done: number, total: number) => void) => Promise<ToWebview>;

export class ImageSearches implements vscode.Disposable {
  private readonly running = new Map<vscode.WebviewPanel, Map<number, AbortController>>();

  constructor(private readonly panels: EditorPanels) {}

  /** The three commands, posting to the active image editor's view. */
  static registerCommands(panels: EditorPanels): vscode.Disposable {
    const post = (command: 'open' | 'next' | 'previous') => async (): Promise<void> => {
      const panel = panels.refreshActive() ?? panels.activeOrVisible();
      if (panel) await panels.post(panel, { type: 'findCommand', command });
    };
    return vscode.Disposable.from(
      vscode.commands.registerCommand('diskx.find', post('open')),
      vscode.commands.registerCommand('diskx.findNext', post('next')),
      vscode.commands.registerCommand('diskx.findPrevious', post('previous')),
    );
  }

  /** Runs a search for `panel` with a cancellable progress notification and posts its result. */
  async run(panel: vscode.WebviewPanel, requestId: number, search: SearchRun): Promise<void> {
    let mine = this.running.get(panel);
    if (!mine) this.running.set(panel, (mine = new Map<number, AbortController>()));
    for (const controller of mine.values()) controller.abort(new Error('cancelled'));
    const controller = new AbortController();
    mine.set(requestId, controller);
    try {
      const message = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Searching the image'), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
          let reported = 0;
          return search(controller.signal, (done, total) => {
            const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
            if (percent > reported) {
              progress.report({ increment: percent - reported, message: `${percent}%` });
              reported = percent;
            }
          });
        },
      );
      await this.panels.post(panel, controller.signal.aborted ? { type: 'findResult', requestId, matches: [], truncated: false, cancelled: true } : message);
    } finally {
      mine.delete(requestId);
    }
  }

  cancel(panel: vscode.WebviewPanel, requestId: number): void {
    this.running.get(panel)?.get(requestId)?.abort(new Error('cancelled'));
  }

  /** The panel closed: its searches stop. */
  forget(panel: vscode.WebviewPanel): void {
    for (const controller of this.running.get(panel)?.values() ?? []) controller.abort(new Error('cancelled'));
    this.running.delete(panel);
  }

  dispose(): void {
    for (const panel of [...this.running.keys()]) this.forget(panel);
  }
}
