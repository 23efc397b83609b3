// What a webview needs to speak the user's language: the language VS Code runs
// in and the strings vscode.l10n loaded for it (l10n/bundle.l10n.<language>.json).
// The whole bundle goes to the page: it is small, and the webviews' strings are
// in it under their English text (the extraction in scripts/l10n.mjs finds them).
import * as vscode from 'vscode';
import { renderMessage } from '../shared/l10n';
import type { Message, StringTable } from '../shared/l10n';

export function webviewL10n(): { language: string; strings: StringTable } {
  return { language: vscode.env.language, strings: vscode.l10n.bundle ?? {} };
}

/** A message from the core (a finding's) in VS Code's language: for the Problems panel, notifications, quick picks. */
export function localMessage(message: Message): string {
  return renderMessage(message, vscode.l10n.bundle ?? {});
}
