// Texts in VS Code's language on the host side: the strings a webview needs
// (the language and the loaded bundle, embedded in its page), and the texts the
// core makes without vscode (finding messages, fix labels) looked up in the
// bundle vscode.l10n loaded (l10n/bundle.l10n.<language>.json). The whole bundle
// goes to a page: it is small, and the webviews' strings are in it under their
// English text (scripts/l10n.mjs finds them).
import * as vscode from 'vscode';
import { localizerOf, renderMessage, translate } from '../shared/l10n';
import type { Localizer, Message, StringTable } from '../shared/l10n';
import type { Finding } from '../core/findings';
import { describeErrorText } from '../core/errors';
import { fixLabel } from '../core/fixes/registry';

export function webviewL10n(): { language: string; strings: StringTable } {
  return { language: vscode.env.language, strings: vscode.l10n.bundle ?? {} };
}

/** What src/app is given to make its texts (tree, disk map, reasons) in VS Code's language. */
export function hostLocalizer(): Localizer {
  return localizerOf(vscode.l10n.bundle);
}

/** A message from the core in VS Code's language. */
export function localMessage(message: Message): string {
  return renderMessage(message, vscode.l10n.bundle ?? {});
}

/** A text the core marked with english() (a fix's label or title), translated. */
export function localText(text: string): string {
  return translate(vscode.l10n.bundle ?? {}, text, []);
}

/** A plan's title in VS Code's language: its msg() template when it has one (hand edits), else its marked title. */
export function planTitle(plan: { title: string; titleText?: Message }): string {
  return plan.titleText ? localMessage(plan.titleText) : localText(plan.title);
}

/** A plan's description in VS Code's language: its msg() template when the fix wrote one, else the English. */
export function planDescription(plan: { description: string; descriptionText?: Message }): string {
  return plan.descriptionText ? localMessage(plan.descriptionText) : plan.description;
}

/** What went wrong, in VS Code's language (an error made from a msg() template is translated, any other as describeError says it). */
export function localError(error: unknown): string {
  return localMessage(describeErrorText(error));
}

/** A finding's message in VS Code's language (English when it has no template). */
export function findingText(finding: Pick<Finding, 'message' | 'text'>): string {
  return finding.text ? localMessage(finding.text) : finding.message;
}

/** The button label of a fix id, translated. */
export function localFixLabel(id: string): string {
  return localText(fixLabel(id));
}
