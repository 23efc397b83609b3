import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../src/host/webviewHtml';
import { EMBEDDED_INIT_ID, decodeEmbeddedInit, encodeEmbeddedInit } from '../../src/shared/protocol/editor';
import type { InitMessage } from '../../src/shared/protocol/editor';

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
  const html = webviewHtml({
    cspSource: 'vscode-resource:',
    scriptUri: 'vscode-resource:/dist/webview.js',
    styleUri: 'vscode-resource:/dist/webview.css',
    nonce,
  });
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="vscode-resource:/dist/webview.js"></script>`));
  assert.match(html, new RegExp(`<link rel="stylesheet" href="vscode-resource:/dist/webview.css" nonce="${nonce}">`));
  assert.doesNotMatch(html, /\s(style|on\w+)="/);
  assert.notEqual(
    makeNonce((n) => randomBytes(n)),
    nonce,
  );
});

test('the embedded init is a JSON data block (not executable) whose text cannot close it, and decodes back', () => {
  const init: InitMessage = {
    type: 'init',
    image: { path: '/x.img', sizeBytes: 1024, sectorSize: 512, scheme: 'gpt', profile: null, kind: 'file', readOnly: false } as unknown as InitMessage['image'],
    tree: [{ id: 'p', label: '</script><script>alert(1)</script>', value: 'a & b > c \u2028', offset: 0, length: 0 }],
    spans: [],
    findings: [],
    banner: null,
    settings: { bytesPerRow: 16 },
    head: Uint8Array.from([0x45, 0x46, 0x49, 0x00, 0xff]),
    edits: { dirty: false, pending: 0, applied: [], saveNeedsConfirmation: null } as unknown as InitMessage['edits'],
    map: null,
    generation: 7,
  };
  const text = encodeEmbeddedInit(init, (bytes) => Buffer.from(bytes).toString('base64'));
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  const html = webviewHtml({
    cspSource: 'vscode-resource:',
    scriptUri: 'vscode-resource:/dist/webview.js',
    styleUri: 'vscode-resource:/dist/webview.css',
    nonce: 'N0NCE',
    embeddedInit: text,
  });
  assert.equal((html.match(/<script/g) ?? []).length, 2);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'the name did not close the data block');
  assert.match(html, new RegExp(`<script type="application/json" id="${EMBEDDED_INIT_ID}">\\{`));
  const back = decodeEmbeddedInit(text, (b64) => new Uint8Array(Buffer.from(b64, 'base64')));
  assert.ok(back);
  assert.deepEqual({ ...back, head: Array.from(back.head) }, { ...init, head: [0x45, 0x46, 0x49, 0x00, 0xff] });
  assert.equal(
    decodeEmbeddedInit('{"type":"update"}', () => new Uint8Array()),
    null,
  );
  assert.equal(
    decodeEmbeddedInit('not json', () => new Uint8Array()),
    null,
  );
});

test('the localised strings ride in a JSON data block before the script, escaped; none for English; <html lang> is checked', async () => {
  const { L10N_DATA_ID, decodeStringTable } = await import('../../src/shared/l10n');
  const resources = { cspSource: 'vscode-resource:', scriptUri: 's.js', styleUri: 's.css', nonce: 'N' };
  const html = webviewHtml({ ...resources, language: 'ja', strings: { Findings: '検査結果', '</script>': '<b>&</b>' } });
  assert.match(html, /<html lang="ja">/);
  const block = new RegExp(`<script type="application/json" id="${L10N_DATA_ID}">([^<]*)</script>\\n<script nonce="N" src="s.js">`).exec(html);
  assert.ok(block, html);
  assert.deepEqual({ ...decodeStringTable(block[1]!) }, { Findings: '検査結果', '</script>': '<b>&</b>' });
  assert.doesNotMatch(webviewHtml({ ...resources, language: 'en', strings: {} }), new RegExp(L10N_DATA_ID));
  assert.match(webviewHtml({ ...resources, language: '"><script>' }), /<html lang="en">/);
  assert.deepEqual({ ...decodeStringTable('[1]') }, {});
  assert.deepEqual({ ...decodeStringTable('{"a": 1, "b": "x"}') }, { b: 'x' });
  assert.deepEqual({ ...decodeStringTable('not json') }, {});
});
