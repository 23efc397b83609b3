// The webviews' one way to a user-visible string: t('English text {0}', value).
// The host embeds the localised strings in the page (src/shared/l10n.ts); with
// none (English, or a browser test) every string is its English key. Strings are
// read once, when this module loads, before any pane is built.
import { L10N_DATA_ID, decodeStringTable, renderMessage, translate } from '../src/shared/l10n';
import type { Message, StringTable } from '../src/shared/l10n';

let table: StringTable = readEmbedded();

function readEmbedded(): StringTable {
  if (typeof document === 'undefined') return {};
  const block = document.getElementById(L10N_DATA_ID);
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

/** The language the host said the page is in (`<html lang>`), for number formatting. */
export function language(): string {
  return (typeof document !== 'undefined' && document.documentElement.lang) || 'en';
}

/** A message made in the core or the application layer (a finding's), in the user's language. */
export function tm(message: Message): string {
  return renderMessage(message, table);
}
