// The extension's settings (package.json contributes.configuration), read in one place.
import * as vscode from 'vscode';
import type { ViewSettings } from '../shared/protocol/editor';
import type { BytesPerRowSetting } from '../shared/protocol/common';

export interface DiskxSettings extends ViewSettings {
  /** Forced logical block size, or undefined to detect. */
  sectorSize: number | undefined;
  showDiagnostics: boolean;
  /** Read VMDK extents outside the descriptor's folder (off by default). */
  allowOutsideExtents: boolean;
}

export function readSettings(scope?: vscode.Uri): DiskxSettings {
  const config = vscode.workspace.getConfiguration('diskx', scope);
  const rawBytesPerRow = config.get<unknown>('hex.bytesPerRow', 'auto');
  const bytesPerRow: BytesPerRowSetting = rawBytesPerRow === 8 || rawBytesPerRow === 16 || rawBytesPerRow === 32 ? rawBytesPerRow : 'auto';
  const sector = config.get<string>('sectorSize', 'auto');
  const sectorSize = sector === '512' ? 512 : sector === '4096' ? 4096 : undefined;
  return {
    bytesPerRow,
    showLba: config.get<boolean>('hex.showLba', true) !== false,
    sectorSize,
    showDiagnostics: config.get<boolean>('showDiagnostics', true),
    allowOutsideExtents: config.get<boolean>('allowOutsideExtents', false) === true,
  };
}

/** VS Code's files.autoSave for `uri` ("off", "afterDelay", "onFocusChange", "onWindowChange"). */
export function autoSaveMode(uri: vscode.Uri): string {
  return vscode.workspace.getConfiguration('files', uri).get<string>('autoSave', 'off');
}

/** What the editor webview of `uri` needs to know of the settings. */
export function viewSettings(uri: vscode.Uri): ViewSettings {
  const { bytesPerRow, showLba } = readSettings(uri);
  return { bytesPerRow, showLba, autoSave: autoSaveMode(uri) !== 'off' };
}

/** Where undo journals go when DISKX_JOURNAL_DIR says so (tests, read-only image folders); undefined: next to the image. */
export function journalDir(): string | undefined {
  return process.env.DISKX_JOURNAL_DIR || undefined;
}
