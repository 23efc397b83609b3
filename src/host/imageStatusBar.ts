// The status bar item of the active disk image editor: scheme, block size and
// layout profile ("GPT · 512 B · ESXi 5"), an unsaved-repairs note, and a
// tooltip with the image's details and the current selection.
import * as vscode from 'vscode';
import { statusText } from '../app/structureTree';
import type { DiskImageDocument } from './diskImageDocument';

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
    this.item.text = `$(database) ${statusText(info)}${document.session.edits.dirty ? ' · unsaved repairs' : ''}`;
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
    `${info.name}: ${info.sizeBytes.toLocaleString('en-US')} bytes`,
    `Scheme: ${info.scheme.toUpperCase()} · logical block ${info.sectorSize} B (${document.session.model?.sectorSizeSource ?? 'assumed'})`,
    info.profile ? `Profile: ${info.profile}` : 'Profile: none recognised',
    info.readOnly ? 'Read-only: saving asks before writing to it' : '',
  ];
  if (length > 0) lines.push(`Selection: 0x${offset.toString(16)} +${length} bytes`);
  return lines.filter(Boolean).join('\n');
}
