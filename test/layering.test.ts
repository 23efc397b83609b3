// Layers are enforced, not hoped for: core imports no vscode, app, host, cli or
// webview code; the application layer (src/app) imports no vscode, host, cli or
// webview code; shared (the protocols) imports nothing outside itself; the
// webview never imports vscode, app or host code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specifiers.push(match[1] ?? match[2] ?? match[3]!);
  }
  return specifiers;
}

function violations(dir: string, forbidden: (resolved: string, specifier: string) => boolean): string[] {
  const bad: string[] = [];
  for (const file of sourceFiles(dir)) {
    for (const specifier of importsOf(file)) {
      const resolved = specifier.startsWith('.') ? path.resolve(path.dirname(file), specifier) : specifier;
      if (forbidden(resolved, specifier)) bad.push(`${path.relative(root, file)} imports ${specifier}`);
    }
  }
  return bad;
}

const inside = (resolved: string, folder: string): boolean => resolved === path.join(root, folder) || resolved.startsWith(path.join(root, folder) + path.sep);

test('src/core imports nothing from vscode, app, host, cli or webview', () => {
  const bad = violations(
    path.join(root, 'src', 'core'),
    (resolved, specifier) =>
      specifier === 'vscode' || inside(resolved, 'src/app') || inside(resolved, 'src/host') || inside(resolved, 'src/cli') || inside(resolved, 'webview'),
  );
  assert.deepEqual(bad, []);
  assert.ok(sourceFiles(path.join(root, 'src', 'core')).length > 10, 'the scan found the core sources');
});

test('src/app (the application layer) imports nothing from vscode, host, cli or webview', () => {
  const bad = violations(
    path.join(root, 'src', 'app'),
    (resolved, specifier) => specifier === 'vscode' || inside(resolved, 'src/host') || inside(resolved, 'src/cli') || inside(resolved, 'webview'),
  );
  assert.deepEqual(bad, []);
  assert.ok(sourceFiles(path.join(root, 'src', 'app')).length > 5, 'the scan found the application sources');
});

test('src/shared (the protocols) imports nothing but itself', () => {
  const bad = violations(path.join(root, 'src', 'shared'), (resolved, specifier) => !specifier.startsWith('.') || !inside(resolved, 'src/shared'));
  assert.deepEqual(bad, []);
});

test('the webview imports neither vscode nor app or host code', () => {
  const bad = violations(
    path.join(root, 'webview'),
    (resolved, specifier) => specifier === 'vscode' || inside(resolved, 'src/app') || inside(resolved, 'src/host') || inside(resolved, 'src/cli'),
  );
  assert.deepEqual(bad, []);
});

test('the scanner sees a forbidden import when there is one', () => {
  const dir = fs.mkdtempSync(path.join(root, 'test', '.layering-'));
  try {
    fs.writeFileSync(path.join(dir, 'bad.ts'), "import * as vscode from 'vscode';\nimport { x } from '../../src/host/extension';\n");
    const bad = violations(dir, (resolved, specifier) => specifier === 'vscode' || inside(resolved, 'src/host'));
    assert.equal(bad.length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
