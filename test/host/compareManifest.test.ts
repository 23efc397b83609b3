// The comparison's wiring outside its own folder: package.json contributes the
// commands and menus (two files selected in the Explorer, the disk image
// editor's title), extension.ts registers them, esbuild builds dist/compare.js,
// the .vsix ships it, and the built bundle has no eval and no Node or vscode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readManifest } from './manifestText';

const root = path.resolve(__dirname, '..', '..');
const manifest = readManifest() as {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; icon?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    customEditors: { viewType: string }[];
  };
  scripts: Record<string, string>;
};

test('commands and menus: Compare Disk Images on two Explorer files, Compare with... in the image editor title', () => {
  const command = (id: string) => manifest.contributes.commands.find((c) => c.command === id);
  assert.equal(command('diskx.compareImages')?.title, 'Compare Disk Images');
  assert.equal(command('diskx.compareWith')?.title, 'Compare with...');
  const explorer = manifest.contributes.menus['explorer/context']?.find((m) => m.command === 'diskx.compareImages');
  assert.match(explorer?.when ?? '', /listMultiSelection/);
  assert.match(explorer?.when ?? '', /!explorerResourceIsFolder/);
  const title = manifest.contributes.menus['editor/title']?.find((m) => m.command === 'diskx.compareWith');
  assert.ok(title?.group?.startsWith('navigation'));
  assert.ok(command('diskx.compareWith')?.icon, 'a title-bar action needs an icon');
  for (const editor of manifest.contributes.customEditors) assert.ok(title?.when?.includes(`activeCustomEditorId == ${editor.viewType}`), editor.viewType);
  const palette = manifest.contributes.menus.commandPalette?.find((m) => m.command === 'diskx.compareWith');
  assert.equal(palette?.when, title?.when, 'Compare with... is offered in the palette only where it has an image to start from');
  for (const id of ['diskx.compareImages', 'diskx.compareWith']) assert.ok(manifest.activationEvents.includes(`onCommand:${id}`), id);
  // A comparison restored after a reload activates the extension for its serializer.
  assert.ok(manifest.activationEvents.includes('onWebviewPanel:diskx.compare'));
  // npm run test:e2e runs test/e2e/compare.e2e.ts (listed, or every *.e2e.ts through runTests.mjs --e2e).
  assert.match(manifest.scripts['test:e2e'] ?? '', /test\/e2e\/compare\.e2e\.ts|runTests\.mjs --e2e/);
});

test('the host registers the commands; the build and the package carry the comparison bundle', () => {
  const extension = fs.readFileSync(path.join(root, 'src', 'host', 'extension.ts'), 'utf8');
  assert.match(extension, /registerCompare\(context\)/);
  const commands = fs.readFileSync(path.join(root, 'src', 'host', 'compare', 'compareCommands.ts'), 'utf8');
  for (const id of ['diskx.compareImages', 'diskx.compareWith']) assert.ok(commands.includes(`'${id}'`), id);
  assert.match(fs.readFileSync(path.join(root, 'esbuild.mjs'), 'utf8'), /webview\/compare\/main\.ts[\s\S]*dist\/compare\.js/);
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!dist\/compare\.js$/m);
  assert.match(ignore, /^!dist\/compare\.css$/m);
});

test(
  'dist/compare.js and dist/compare.css: no eval, no Node or vscode, theme colours through --vscode-* only',
  { skip: fs.existsSync(path.join(root, 'dist', 'compare.js')) ? false : 'dist/compare.js not built (node esbuild.mjs)' },
  () => {
    const js = fs.readFileSync(path.join(root, 'dist', 'compare.js'), 'utf8');
    const css = fs.readFileSync(path.join(root, 'dist', 'compare.css'), 'utf8');
    assert.doesNotMatch(js, /\beval\(|new Function\(/);
    assert.doesNotMatch(js, /require\(["'](vscode|node:|fs|path)/);
    assert.match(js, /acquireVsCodeApi\(\)/);
    assert.doesNotMatch(js, /console\.(log|debug|info)\(/, 'no console noise');
    assert.match(css, /#hex-a \.hex-byte\.diff/);
    assert.doesNotMatch(css, /@import|url\(/, 'no remote or extra resources');
    // Every colour comes from a theme variable (a literal only as the fallback of var()).
    for (const line of css.split('\n').filter((l) => /^\s*(color|background|border[a-z-]*|outline):/.test(l))) {
      const withoutVars = line.replace(/var\((?:[^()]|\([^()]*\))*\)/g, '');
      assert.doesNotMatch(withoutVars, /#[0-9a-f]{3,8}\b|rgba?\(/i, line.trim());
    }
  },
);
