// The built webview bundle (npm test builds it first) is what the CSP allows: one
// script and one stylesheet, no eval, no code that reaches for vscode or Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const dist = path.resolve(__dirname, '..', '..', 'dist');

test(
  'dist/webview.js and dist/webview.css exist, without eval or Node built-ins',
  { skip: fs.existsSync(path.join(dist, 'webview.js')) ? false : 'dist/webview.js not built (node esbuild.mjs)' },
  () => {
    const js = fs.readFileSync(path.join(dist, 'webview.js'), 'utf8');
    const css = fs.readFileSync(path.join(dist, 'webview.css'), 'utf8');
    assert.doesNotMatch(js, /\beval\(|new Function\(/);
    assert.doesNotMatch(js, /require\(["'](vscode|node:|fs|path)/);
    assert.match(js, /acquireVsCodeApi\(\)/);
    for (const element of ['vscode-tree', 'vscode-tree-item', 'vscode-badge', 'vscode-textfield']) assert.ok(js.includes(`"${element}"`), element);
    assert.match(css, /\.hex-row/);
    assert.doesNotMatch(css, /@import|url\(\s*["']?https?:/, 'no remote resources');
  },
);
