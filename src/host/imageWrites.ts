// Our own writes to an image from outside its editor (the compare view's slot
// copy and its undo) are announced here, so an editor showing that image reloads
// at once instead of waiting for the file watcher (which may be slow or off).
import * as path from 'node:path';
import * as vscode from 'vscode';

const emitter = new vscode.EventEmitter<string>();

/** Fires with the absolute path of an image we just wrote. */
export const onDidWriteImage = emitter.event;

export function announceImageWrite(file: string): void {
  emitter.fire(path.resolve(file));
}
