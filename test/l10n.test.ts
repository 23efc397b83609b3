// Every user-visible string of the extension has its English text in one place
// and a Japanese translation: package.json's contributions are all %key%s in
// package.nls.json and package.nls.ja.json; every vscode.l10n.t / webview t() /
// core msg() string is in l10n/bundle.l10n.json (made by scripts/l10n.mjs, kept
// up to date) and in l10n/bundle.l10n.ja.json, with the same {N} placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { asMessage, formatMessage, msg, renderMessage } from '../src/shared/l10n';

const root = path.resolve(__dirname, '..');
const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;
/** Kana, kanji or full-width forms: the text was translated, not copied. */
const JAPANESE = /[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;
/** The placeholders of a message, sorted: {0} {1} ... */
/** Strings that are the same in Japanese: technical names only. */
const SAME_IN_JAPANESE = new Set<string>(['the MBR', 'HeaderCRC32 {0} -> {1}', 'the BAT', 'LBA {0}..{1}', 'UUID {0}', '{0} (LBA {1})']);
const placeholders = (text: string): string[] => [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

test('l10n/bundle.l10n.json holds exactly the strings the sources use (node scripts/l10n.mjs makes it)', async () => {
  const { extractStrings, bundleText, BUNDLE } = await import('../scripts/l10n.mjs');
  const { keys, errors } = extractStrings();
  assert.deepEqual(errors, []);
  assert.ok(keys.size > 0, 'the extraction found the strings');
  assert.equal(fs.readFileSync(BUNDLE, 'utf8'), bundleText(keys.keys()), 'l10n/bundle.l10n.json is stale: run node scripts/l10n.mjs');
});

test('every bundle string has a Japanese translation with the same placeholders, and no stale ones', () => {
  const english = readJson('l10n/bundle.l10n.json');
  const japanese = readJson('l10n/bundle.l10n.ja.json');
  const missing = Object.keys(english).filter((key) => typeof japanese[key] !== 'string' || japanese[key] === '');
  assert.deepEqual(missing, [], 'untranslated strings');
  assert.deepEqual(
    Object.keys(japanese).filter((key) => !(key in english)),
    [],
    'translations of strings no source uses any more',
  );
  for (const [key, value] of Object.entries(japanese)) {
    assert.deepEqual(placeholders(value as string), placeholders(key), `placeholders of ${JSON.stringify(key)}`);
    if (/[A-Za-z]{2}/.test(key.replace(/\{\d+\}/g, '')) && !SAME_IN_JAPANESE.has(key))
      assert.match(value as string, JAPANESE, `${JSON.stringify(key)} is not translated: ${JSON.stringify(value)}`);
  }
});

/** Every string in package.json that VS Code shows to a user. */
function shownStrings(manifest: Record<string, unknown>): { where: string; value: string }[] {
  const shown: { where: string; value: string }[] = [];
  const visit = (value: unknown, where: string): void => {
    if (typeof value === 'string') {
      if (
        /\.(description|markdownDescription|title|displayName|name|enumDescriptions\.\d+|contextualTitle|altText|markdown)$/.test(where) &&
        !/\.media\./.test(where)
      )
        shown.push({ where, value });
      return;
    }
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${where}.${i}`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, `${where}.${k}`);
  };
  visit(manifest.contributes, 'contributes');
  visit(manifest.capabilities, 'capabilities');
  shown.push({ where: 'description', value: manifest.description as string });
  return shown;
}

test('package.json: every shown string is a %key% of package.nls.json, translated in package.nls.ja.json', () => {
  const manifest = readJson('package.json');
  const english = readJson('package.nls.json');
  const japanese = readJson('package.nls.ja.json');
  // The settings' group title is the extension's name, the same in every language.
  const literal = shownStrings(manifest).filter(({ where, value }) => !/^%[^%]+%$/.test(value) && where !== 'contributes.configuration.title');
  assert.deepEqual(
    literal.map(({ where, value }) => `${where}: ${value}`),
    [],
    'put these in package.nls.json',
  );
  const used = new Set(
    JSON.stringify(manifest)
      .match(/"%[^%"]+%"/g)
      ?.map((k) => k.slice(2, -2)),
  );
  assert.deepEqual(
    [...used].filter((key) => !(key in english)),
    [],
    'keys package.nls.json lacks',
  );
  assert.deepEqual(
    Object.keys(english).filter((key) => !used.has(key)),
    [],
    'package.nls.json keys nothing uses',
  );
  assert.deepEqual(Object.keys(english).sort(), Object.keys(japanese).sort(), 'package.nls.ja.json has the same keys');
  // The extension's name stays as it is (it is also the settings' and the palette's category).
  for (const [key, value] of Object.entries(japanese))
    if (value !== 'Disk Structure Explorer') assert.match(value as string, JAPANESE, `package.nls.ja.json ${key} is not translated`);
});

test('formatMessage fills {N} like vscode.l10n.t and leaves unknown ones', () => {
  assert.equal(formatMessage('{0} of {1}', [3, 7]), '3 of 7');
  assert.equal(formatMessage('{1}件中{0}件目', [3, 7]), '7件中3件目');
  assert.equal(formatMessage('{0} {2}', ['a']), 'a {2}');
  assert.equal(formatMessage('no args {0}', []), 'no args {0}');
});

test('a message from the core renders in English without a table, nested parts translated with one', () => {
  const message = msg('The MBR has no 0xEE record ({0}); {1} bytes', msg('all four records are empty'), 512);
  assert.equal(renderMessage(message), 'The MBR has no 0xEE record (all four records are empty); 512 bytes');
  const table = {
    'The MBR has no 0xEE record ({0}); {1} bytes': 'MBR に 0xEE レコードがありません ({0})。{1} バイト',
    'all four records are empty': '4 つのレコードがすべて空です',
  };
  assert.equal(renderMessage(message, table), 'MBR に 0xEE レコードがありません (4 つのレコードがすべて空です)。512 バイト');
  assert.deepEqual(asMessage(JSON.parse(JSON.stringify(message))), message);
  assert.equal(asMessage({ template: 'x', args: [{}] }), null);
  assert.equal(asMessage({ template: 1, args: [] }), null);
  let deep: unknown = { template: 'x', args: [] };
  for (let i = 0; i < 6; i++) deep = { template: '{0}', args: [deep] };
  assert.equal(asMessage(deep), null, 'nesting is bounded');
});
