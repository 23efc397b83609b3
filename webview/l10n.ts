// The webviews' one way to a user-visible string: t('English text {0}', value).
// The host embeds the localised strings in the page (src/shared/l10n.ts); with
// none (English, or a browser test) every string is its English key. Strings are
// read once, when this module loads, before any pane is built.
import { L10N_DATA_ID, decodeStringTable, renderMessage, translate } from '../src/shared/l10n';
import type { Message, StringTable } from '../src/shared/l10n';

let table: StringTable = readEmbedded();

function readEmbedded(): StringTable {
  // No document when a pure module that shows text is loaded in Node (the tests): English.
  const page = (globalThis as { document?: { getElementById(id: string): { textContent: string | null; remove(): void } | null } }).document;
  const block = page?.getElementById(L10N_DATA_ID);
  const text = block?.textContent;
  block?.remove();
  return text ? decodeStringTable(text) : {};
}

/** The localised form of `message` (its English text), with `{0}`, `{1}`... filled from `args`. */
export function t(message: string, ...args: (string | number | boolean)[]): string {
  return translate(table, message, args);
}

/** Replaces the strings (tests). */
export function setStrings(strings: StringTable): void {
  table = strings;
}

/** A message made in the core or the application layer (a finding's), in the user's language. */
export function tm(message: Message): string {
  return renderMessage(message, table);
}

/** A text the host sent that the core marked with english() (a fix's label), translated. */
export function td(text: string): string {
  return translate(table, text, []);
}
