// The custom editor's document: owns one DiskImageSession (ByteSource, model,
// findings) for as long as any editor shows the image. Issue 6 turns this into
// the editable document (edit stack, save, backup) of a CustomEditorProvider.
import * as vscode from 'vscode';
import { DiskImageSession } from './diskImageSession';
import { readSettings } from './settings';
import { describeError } from '../core/errors';

export class DiskImageDocument implements vscode.CustomDocument {
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once, when the document is disposed. */
  readonly onDidDispose = this.disposeEmitter.event;

  private constructor(
    readonly uri: vscode.Uri,
    readonly session: DiskImageSession,
  ) {}

  /** Opens a file, VMDK descriptor or block device; non-disk files open as plain hex with a banner. */
  static async create(uri: vscode.Uri): Promise<DiskImageDocument> {
    const { sectorSize } = readSettings(uri);
    try {
      const session = await DiskImageSession.open(uri.fsPath, { sectorSize });
      return new DiskImageDocument(uri, session);
    } catch (error) {
      // Only unreadable paths get here (no such file, permission denied): say so in one line.
      throw new Error(`Disk Structure Explorer cannot open ${uri.fsPath}: ${describeError(error)}`);
    }
  }

  dispose(): void {
    void this.session.close();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
