import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../src/host/webviewHtml';

test('the webview CSP denies everything but our nonce-tagged script and stylesheet', () => {
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'N0NCE');
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net 'nonce-N0NCE'/);
  assert.match(csp, /script-src 'nonce-N0NCE'(;|$)/);
  assert.match(csp, /font-src https:\/\/x\.vscode-cdn\.net/);
  assert.doesNotMatch(csp, /unsafe-(inline|eval)|\*/);
});

test('the HTML loads one script and one stylesheet, both with the nonce, and no inline code', () => {
  const nonce = makeNonce((n) => randomBytes(n));
  assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
  const html = webviewHtml({ cspSource: 'vscode-resource:', scriptUri: 'vscode-resource:/dist/webview.js', styleUri: 'vscode-resource:/dist/webview.css', nonce });
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="vscode-resource:/dist/webview.js"></script>`));
  assert.match(html, new RegExp(`<link rel="stylesheet" href="vscode-resource:/dist/webview.css" nonce="${nonce}">`));
  assert.doesNotMatch(html, /\s(style|on\w+)="/);
  assert.notEqual(makeNonce((n) => randomBytes(n)), nonce);
});
