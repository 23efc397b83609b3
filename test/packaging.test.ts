// The .vsix that `npm run package` builds holds only what runs (issue 5, item 9):
// packs the current build with vsce into a temp folder and reads the zip's central
// directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** File names in a zip, from its end-of-central-directory record (no zip64: a vsix is small). */
export function zipEntries(zip: Buffer): string[] {
  return [...zipModes(zip).keys()];
}

/** Each file of a zip with its Unix mode (the high half of the external attributes; 0 when not recorded). */
export function zipModes(zip: Buffer): Map<string, number> {
  let eocd = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65535); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  assert.ok(eocd >= 0, 'no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, `central directory entry ${i}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    names.set(zip.toString('utf8', at + 46, at + 46 + nameLength), zip.readUInt32LE(at + 38) >>> 16);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

test('vsce package: the .vsix holds dist/, package.json, README and LICENSE, nothing else', { timeout: 120_000 }, () => {
  assert.ok(fs.existsSync(path.join(root, 'dist', 'extension.js')), 'build first (npm test does)');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diskx-vsix-')), 'diskx.vsix');
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out],
    { cwd: root, encoding: 'utf8', input: '' },
  );
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const modes = zipModes(fs.readFileSync(out));
  const entries = [...modes.keys()].filter((name) => !name.endsWith('/'));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });

  // vsce's own files, then ours under extension/.
  const ours = entries.filter((name) => name.startsWith('extension/')).map((name) => name.slice('extension/'.length));
  assert.deepEqual(entries.filter((name) => !name.startsWith('extension/')).sort(), ['[Content_Types].xml', 'extension.vsixmanifest']);
  for (const required of [
    'package.json',
    'dist/extension.js',
    'readme.md',
    'LICENSE.txt',
    'changelog.md',
    'package.nls.json',
    'package.nls.ja.json',
    'l10n/bundle.l10n.ja.json',
  ]) {
    assert.ok(
      ours.some((name) => name.toLowerCase() === required.toLowerCase()),
      `${required} missing from ${ours.join(', ')}`,
    );
  }
  const junk = ours.filter(
    (name) =>
      /^(src|test|bench|scripts|formats|node_modules|\.scratch|\.vscode-test|\.diskx-bench|\.ci|docs|webview)\//.test(name) ||
      /\.(ts|ksy|map|vsix|img)$/.test(name) ||
      name === 'dist/cli.js' ||
      name.includes('generated'),
  );
  assert.deepEqual(junk, [], `junk in the vsix: ${junk.join(', ')}`);
  const compilerFiles = ['package.json', 'LICENSE', 'README.md', 'kaitai-struct-compiler.js'].map((file) => `dist/kaitai-struct-compiler/${file}`);
  for (const required of ['dist/ksc-driver.js', 'dist/spec-worker.js', ...compilerFiles])
    assert.ok(ours.includes(required), `${required} missing from the vsix`);
  // The byte diff's native helper, when the build made one, ships as a program (executable).
  if (fs.existsSync(path.join(root, 'dist', 'native', 'diskx-cmp'))) {
    assert.ok(ours.includes('dist/native/diskx-cmp'), 'dist/native/diskx-cmp missing from the vsix');
    assert.ok((modes.get('extension/dist/native/diskx-cmp')! & 0o111) !== 0, 'the helper is executable in the vsix');
  }
  const allowed =
    /^(package\.json|package\.nls(\.[a-z-]+)?\.json|l10n\/bundle\.l10n(\.[a-z-]+)?\.json|readme\.md|LICENSE\.txt|changelog\.md|dist\/[^/]+\.(js|css|ttf|woff2?)|dist\/native\/diskx-cmp|dist\/kaitai-struct-compiler\/(package\.json|LICENSE|README\.md|kaitai-struct-compiler\.js)|media\/.+)$/i;
  assert.deepEqual(
    ours.filter((name) => !allowed.test(name)),
    [],
    `unexpected files in the vsix: ${ours.join(', ')}`,
  );
});

test('the Kaitai Struct compiler (GPL-3.0) ships as its own unmodified package, bundled into none of ours', () => {
  const shipped = path.join(root, 'dist', 'kaitai-struct-compiler');
  const installed = path.join(root, 'node_modules', 'kaitai-struct-compiler');
  for (const file of ['package.json', 'LICENSE', 'README.md', 'kaitai-struct-compiler.js']) {
    assert.ok(
      fs.readFileSync(path.join(shipped, file)).equals(fs.readFileSync(path.join(installed, file))),
      `dist/kaitai-struct-compiler/${file} differs from the npm package`,
    );
  }
  assert.match(fs.readFileSync(path.join(shipped, 'LICENSE'), 'utf8'), /GNU GENERAL PUBLIC LICENSE\s+Version 3/);
  // A class name only the compiler's Scala.js output has.
  const marker = 'io_kaitai_struct_MainJs';
  assert.ok(fs.readFileSync(path.join(shipped, 'kaitai-struct-compiler.js'), 'utf8').includes(marker), 'the marker names the compiler');
  for (const bundle of fs.readdirSync(path.join(root, 'dist')).filter((name) => name.endsWith('.js'))) {
    assert.ok(!fs.readFileSync(path.join(root, 'dist', bundle), 'utf8').includes(marker), `dist/${bundle} contains compiler code`);
  }
});
