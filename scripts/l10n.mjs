// The English string bundle, l10n/bundle.l10n.json, made from the sources: every
// vscode.l10n.t('...') (or msg('...'), for pure modules) in src/host, every t('...') in webview/ (webview/l10n.ts)
// and every msg('...') template or english('...') text in src/core and src/app (src/shared/l10n.ts: the
// finding messages the editor shows localised), and every l10n.t('...') in src/app (a Localizer: tree
// labels, field meanings, disk map labels). The key is the English text, as
// vscode.l10n expects. `node scripts/l10n.mjs` writes the bundle; `--check` exits
// 1 when the committed one differs (test/l10n.test.ts runs the same comparison).
// A call whose first argument is not a string literal (or a condition between two)
// is an error: a key the extraction cannot see would never be translated.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const BUNDLE = path.join(root, 'l10n', 'bundle.l10n.json');

/** Where each kind of call is looked for. */
const SOURCES = [
  {
    dir: 'src/host',
    isCall: (callee) =>
      (ts.isPropertyAccessExpression(callee) && callee.name.text === 't' && /(^|\.)l10n$/.test(callee.expression.getText())) ||
      (ts.isIdentifier(callee) && callee.text === 'msg'),
  },
  { dir: 'webview', isCall: (callee) => ts.isIdentifier(callee) && callee.text === 't' },
  { dir: 'src/core', isCall: (callee) => ts.isIdentifier(callee) && (callee.text === 'msg' || callee.text === 'english') },
  {
    dir: 'src/app',
    isCall: (callee) =>
      (ts.isIdentifier(callee) && (callee.text === 'msg' || callee.text === 'english')) ||
      // l10n.t('...') / ctx.l10n.t('...'): a Localizer (src/shared/l10n.ts) the host passes in.
      (ts.isPropertyAccessExpression(callee) && callee.name.text === 't' && /(^|\.)l10n$/.test(callee.expression.getText())),
  },
];
/** The helpers themselves pass a variable through. */
const PASS_THROUGH = new Set(['webview/l10n.ts']);

function tsFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : tsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The texts a key argument can have: a string literal, or a condition choosing between such (`a ? 'x' : 'y'`); null for anything else. */
function literalsOf(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return literalsOf(node.expression);
  if (ts.isConditionalExpression(node)) {
    const yes = literalsOf(node.whenTrue);
    const no = literalsOf(node.whenFalse);
    return yes && no ? [...yes, ...no] : null;
  }
  return null;
}

/** Every key with the places it is used: { keys: Map<key, string[]>, errors: string[] }. */
export function extractStrings() {
  const keys = new Map();
  const errors = [];
  for (const { dir, isCall } of SOURCES) {
    for (const file of tsFiles(path.join(root, dir))) {
      const relative = path.relative(root, file);
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node) => {
        // msgJoin(items, ', '): the separator is looked up too (Japanese lists use 、).
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'msgJoin') {
          const separator = node.arguments[1] && literalsOf(node.arguments[1]);
          const where = `${relative}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          if (separator) for (const text of separator) keys.set(text, [...(keys.get(text) ?? []), where]);
          else errors.push(`${where}: the separator of msgJoin() must be a string literal`);
        }
        if (ts.isCallExpression(node) && isCall(node.expression)) {
          const first = node.arguments[0];
          const where = `${relative}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          const literals = first ? literalsOf(first) : null;
          if (literals) {
            for (const text of literals) keys.set(text, [...(keys.get(text) ?? []), where]);
          } else if (!PASS_THROUGH.has(relative)) {
            errors.push(`${where}: the first argument of ${node.expression.getText()}() must be a string literal`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return { keys, errors };
}

/** The bundle's text: keys sorted, each mapped to itself, two-space JSON. */
export function bundleText(keys) {
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${JSON.stringify(Object.fromEntries(sorted.map((key) => [key, key])), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { keys, errors } = extractStrings();
  if (errors.length) {
    for (const error of errors) console.error(`l10n: ${error}`);
    process.exit(1);
  }
  const text = bundleText(keys.keys());
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(BUNDLE) ? fs.readFileSync(BUNDLE, 'utf8') : '';
    if (current !== text) {
      console.error('l10n: l10n/bundle.l10n.json is out of date; run node scripts/l10n.mjs');
      process.exit(1);
    }
    console.log(`l10n: ${keys.size} strings, bundle up to date`);
  } else {
    fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
    fs.writeFileSync(BUNDLE, text);
    console.log(`l10n: wrote ${path.relative(root, BUNDLE)} (${keys.size} strings)`);
  }
}
