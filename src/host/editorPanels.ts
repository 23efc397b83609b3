// The open disk image editors: which webview panel shows which document,
// whether its webview has said "ready" yet, and which one is active. The
// provider adds and removes panels; the Apply Fix command, the status bar and
// the model refresh look them up here.
import type * as vscode from 'vscode';
import type { DiskImageDocument } from './diskImageDocument';
import type { ToWebview } from '../shared/protocol/editor';

interface Ready {
  promise: Promise<void>;
  resolve: () => void;
}

export class EditorPanels {
  private readonly panels = new Map<vscode.WebviewPanel, DiskImageDocument>();
  private readonly ready = new Map<vscode.WebviewPanel, Ready>();
  private activeValue: vscode.WebviewPanel | null = null;
  /** The panel that was active last, kept while another tab (the walkthrough, say) is in front. */
  private lastActiveValue: vscode.WebviewPanel | null = null;

  add(panel: vscode.WebviewPanel, document: DiskImageDocument): void {
    this.panels.set(panel, document);
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    this.ready.set(panel, { promise, resolve });
  }

  remove(panel: vscode.WebviewPanel): void {
    this.panels.delete(panel);
    this.ready.delete(panel);
    if (this.activeValue === panel) this.activeValue = null;
    if (this.lastActiveValue === panel) this.lastActiveValue = null;
  }

  get size(): number {
    return this.panels.size;
  }

  entries(): [vscode.WebviewPanel, DiskImageDocument][] {
    return [...this.panels];
  }

  documentOf(panel: vscode.WebviewPanel): DiskImageDocument | undefined {
    return this.panels.get(panel);
  }

  /** The panels showing `document`. */
  panelsOf(document: DiskImageDocument): vscode.WebviewPanel[] {
    return this.entries()
      .filter(([, d]) => d === document)
      .map(([p]) => p);
  }

  /** The panel of image `uri`, the active one first. */
  panelFor(uri: vscode.Uri): vscode.WebviewPanel | null {
    const matches = this.entries()
      .filter(([, d]) => d.uri.toString() === uri.toString())
      .map(([p]) => p);
    return matches.find((p) => p.active) ?? matches[0] ?? null;
  }

  /** The webview of `panel` is listening (it said "ready"). */
  markReady(panel: vscode.WebviewPanel): void {
    this.ready.get(panel)?.resolve();
  }

  /** Resolves once `panel`'s webview is listening. */
  async whenReady(panel: vscode.WebviewPanel): Promise<void> {
    await this.ready.get(panel)?.promise;
  }

  /** The active editor panel, after looking again (`candidate` first: VS Code reports its own view state first). */
  refreshActive(candidate?: vscode.WebviewPanel): vscode.WebviewPanel | null {
    this.activeValue = candidate?.active ? candidate : (this.entries().find(([p]) => p.active)?.[0] ?? null);
    if (this.activeValue) this.lastActiveValue = this.activeValue;
    return this.activeValue;
  }

  /** The panel that was active when last looked at. */
  get active(): vscode.WebviewPanel | null {
    return this.activeValue;
  }

  /** The active panel, or else a visible one. */
  activeOrVisible(): vscode.WebviewPanel | null {
    return this.activeValue ?? this.entries().find(([p]) => p.visible)?.[0] ?? null;
  }

  post(panel: vscode.WebviewPanel, message: ToWebview): Thenable<boolean> {
    return panel.webview.postMessage(message);
  }

  /** Sends `message` to every panel of `document`. */
  async postTo(document: DiskImageDocument, message: ToWebview): Promise<void> {
    for (const panel of this.panelsOf(document)) await this.post(panel, message);
  }

  /**
   * The panel a command run from elsewhere acts on: the active one, else a visible one, else the one last
   * active (behind another tab: the walkthrough's buttons run with the walkthrough in front), else the only one.
   */
  activeOrRecent(): vscode.WebviewPanel | null {
    const only = this.panels.size === 1 ? this.entries()[0]![0] : null;
    return this.activeOrVisible() ?? this.lastActiveValue ?? only;
  }
}
