// Localised strings for the webviews. The host (which has vscode.l10n) puts the
// loaded string bundle into the page as a JSON data block; the webview looks
// every user-visible string up by its English text, the same key vscode.l10n.t
// uses, so a missing translation shows the English original. Pure: used by the
// host, the webviews and the tests.

/** The id of the `<script type="application/json">` block that carries the strings. */
export const L10N_DATA_ID = 'diskx-l10n';

/** English text -> the text to show. */
export type StringTable = Readonly<Record<string, string>>;

/** Fills `{0}`, `{1}`, ... with the arguments, as vscode.l10n.t does; an unknown index stays as written. */
export function formatMessage(template: string, args: readonly (string | number | boolean)[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

/** The table as JSON for an HTML data block: `<`, `>`, `&` and line separators escaped so no text can close the element. */
export function encodeStringTable(table: StringTable): string {
  return JSON.stringify(table).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The table back from a data block's text: only string values are kept; anything else (damaged text) gives an empty table. */
export function decodeStringTable(text: string): StringTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const table: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) if (typeof value === 'string') table[key] = value;
  return table;
}

/** Looks `message` up in `table` (English when absent) and fills its placeholders. */
export function translate(table: StringTable, message: string, args: readonly (string | number | boolean)[]): string {
  const localised = Object.prototype.hasOwnProperty.call(table, message) ? table[message]! : message;
  return formatMessage(localised, args);
}

/**
 * A text made where vscode.l10n is out of reach (src/core, src/app): its English
 * template and the values for its placeholders, any of which may be a message
 * itself. The CLI prints renderMessage(m); the editor renders it with a lookup.
 */
export interface Message {
  readonly template: string;
  readonly args: readonly MessageArg[];
  /** Set on a list (msgJoin): the args rendered and joined with this instead of a template. */
  readonly join?: string;
}
export type MessageArg = string | number | Message;

/** A message to show later; the template must be a string literal (scripts/l10n.mjs collects them). */
export function msg(template: string, ...args: (MessageArg | bigint)[]): Message {
  return { template, args: args.map((arg) => (typeof arg === 'bigint' ? String(arg) : arg)) };
}

/** Marks an English text made in src/core or src/app (a fix's label) for translation; scripts/l10n.mjs collects it. Returns it unchanged. */
export function english<T extends string>(text: T): T {
  return text;
}

/** A text marked with english() where it was written (a table's entry) as a message: the editor looks it up, the CLI prints it as is. */
export function markedText(text: string): Message {
  return { template: text, args: [] };
}

/** A list of messages shown joined by `separator` (", ", "; ", " and "). */
export function msgJoin(items: readonly MessageArg[], separator: string): Message {
  return { template: '', args: items, join: separator };
}

/** The message's text, templates looked up in `table` (English without one). */
export function renderMessage(message: Message, table: StringTable = {}): string {
  if (message.join !== undefined)
    return message.args.map((arg) => (typeof arg === 'object' ? renderMessage(arg, table) : String(arg))).join(translate(table, message.join, []));
  return translate(
    table,
    message.template,
    message.args.map((arg) => (typeof arg === 'object' ? renderMessage(arg, table) : arg)),
  );
}

/** A message as it arrived from elsewhere (postMessage, JSON): null unless it is one, nested no deeper than 4. */
export function asMessage(value: unknown, depth = 0): Message | null {
  if (depth > 4 || typeof value !== 'object' || value === null) return null;
  const { template, args, join } = value as { template?: unknown; args?: unknown; join?: unknown };
  if (typeof template !== 'string' || !Array.isArray(args) || args.length > 64 || (join !== undefined && typeof join !== 'string')) return null;
  const checked: MessageArg[] = [];
  for (const arg of args) {
    if (typeof arg === 'string' || typeof arg === 'number') checked.push(arg);
    else {
      const inner = asMessage(arg, depth + 1);
      if (!inner) return null;
      checked.push(inner);
    }
  }
  return typeof join === 'string' ? { template, args: checked, join } : { template, args: checked };
}

/**
 * Puts the texts src/app makes (tree labels, field meanings, disk map labels,
 * the reasons a fix does not apply) into the user's language. The extension host
 * passes one over its loaded bundle (localizerOf(vscode.l10n.bundle)); the CLI
 * and the tests use ENGLISH. Keys are the English texts, as everywhere.
 */
export interface Localizer {
  /** `l10n.t('English {0}', value)`: the template is a string literal (scripts/l10n.mjs collects it). */
  t(template: string, ...args: (string | number)[]): string;
  /** A text marked with english() where it was written (a table's entry), or a msg() message. */
  text(text: string | Message): string;
}

/** A localizer over a loaded string table (English for a missing key). */
export function localizerOf(table: StringTable | undefined): Localizer {
  const strings = table ?? {};
  return {
    t: (template, ...args) => translate(strings, template, args),
    text: (text) => (typeof text === 'string' ? translate(strings, text, []) : renderMessage(text, strings)),
  };
}

/** English: the templates as written. */
export const ENGLISH: Localizer = localizerOf({});
