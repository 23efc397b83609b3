// The status bar item of the active disk image editor: scheme, block size and
// layout profile ("GPT · 512 B · ESXi 5"), an unsaved-repairs note, and a
// tooltip with the image's details and the current selection.
import * as vscode from 'vscode';
import { statusText } from '../app/structureTree';
import type { DiskImageDocument } from './diskImageDocument';
import { hostLocalizer } from './localText';

export class ImageStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('diskx.imageInfo', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Disk Structure Explorer: image';
  }

  /** Shows `document` (the active editor's), or hides the item when no image editor is active. */
  show(document: DiskImageDocument | undefined): void {
    if (!document) {
      this.item.hide();
      return;
    }
    const info = document.session.info();
    this.item.text = `$(database) ${statusText(info, hostLocalizer())}${document.session.edits.dirty ? ` · ${vscode.l10n.t('unsaved repairs')}` : ''}`;
    this.item.tooltip = tooltip(document, 0, 0);
    this.item.show();
  }

  /** The selection of the active editor moved. */
  showSelection(document: DiskImageDocument, offset: number, length: number): void {
    this.item.tooltip = tooltip(document, offset, length);
  }

  dispose(): void {
    this.item.dispose();
  }
}

function tooltip(document: DiskImageDocument, offset: number, length: number): string {
  const info = document.session.info();
  const lines = [
    vscode.l10n.t('{0}: {1} bytes', info.name, info.sizeBytes.toLocaleString('en-US')),
    vscode.l10n.t('Scheme: {0} · logical block {1} B ({2})', info.scheme.toUpperCase(), info.sectorSize, document.session.model?.sectorSizeSource ?? 'assumed'),
    info.profile ? vscode.l10n.t('Profile: {0}', info.profile) : vscode.l10n.t('Profile: none recognised'),
    info.readOnly ? vscode.l10n.t('Read-only: saving asks before writing to it') : '',
  ];
  if (length > 0) lines.push(vscode.l10n.t('Selection: 0x{0} +{1} bytes', offset.toString(16), length));
  return lines.filter(Boolean).join('\n');
}
