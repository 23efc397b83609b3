// A stand-in for VS Code around the built webview (dist/webview.js): a local
// HTTP server serves a page with the same strict CSP the extension uses and a
// stub `acquireVsCodeApi` whose postMessage reaches this Node process through
// Playwright's exposeFunction. Here the real DiskImageSession (the object the
// extension host uses) answers, so the webview sees real models and bytes.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { contentSecurityPolicy, stringsBlock } from '../../src/host/webviewHtml';
import type { StringTable } from '../../src/shared/l10n';
import type { ViewSettings } from '../../src/shared/protocol/editor';
import { EMBEDDED_INIT_ID, encodeEmbeddedInit } from '../../src/shared/protocol/editor';
import type { ImageEdit } from '../../src/app/editStack';
import { tempDir } from '../builders/images';

const root = path.resolve(__dirname, '..', '..');
export const CHROMIUM = process.env.DISKX_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Why the browser tests of `bundle` (dist/<bundle>.js) cannot run here, or null when they can. */
export function browserUnavailable(bundle: 'webview' | 'compare' = 'webview'): string | null {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} not found (Debian: apt-get install chromium)`;
  if (!fs.existsSync(path.join(root, 'dist', `${bundle}.js`))) return `dist/${bundle}.js not built (run node esbuild.mjs)`;
  return null;
}

/** A box as getBoundingClientRect gives it, in CSS pixels. */
export interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}

/**
 * The `skip` option of a browser suite: false when it can run; else the reason, and
 * in CI (where chromium must be there) a failing test named after `what` instead.
 */
export function skipUnless(unavailable: string | null, what: string): string | false {
  if (unavailable && process.env.CI) test(`${what} need chromium in CI`, () => assert.fail(`cannot run: ${unavailable}`));
  return unavailable ? `skipped: ${unavailable}` : false;
}

export interface BrowserSuite {
  /** Set by the suite's before() hook. */
  readonly browser: Browser;
  readonly server: HarnessServer;
  /** A temp folder for the suite's images. */
  readonly dir: string;
  /** Closes `page` (a page with its session) after the suite; returns it. */
  keep<T extends { close(): Promise<void> }>(page: T): T;
  /** Opens `imagePath` in a new page of the editor's harness (openInHarness's arguments after the server), kept. */
  open(imagePath: string, settings?: ViewSettings, viewport?: { width: number; height: number }, options?: HarnessOptions): Promise<OpenedPage>;
  /** Every page open() made, in order. */
  readonly opened: readonly OpenedPage[];
}

/**
 * What each browser suite sets up: call inside its describe() for chromium, a
 * harness server (`start`; the editor's by default) and a temp folder named
 * `prefix`..., started by a before() hook and closed, with every page kept, by an
 * after() hook.
 */
export function browserSuite(prefix: string, start: () => Promise<HarnessServer> = startHarnessServer): BrowserSuite {
  let browser: Browser | undefined;
  let server: HarnessServer | undefined;
  let dir = '';
  const pages: { close(): Promise<void> }[] = [];
  const opened: OpenedPage[] = [];
  const keep = <T extends { close(): Promise<void> }>(page: T): T => {
    pages.push(page);
    return page;
  };
  before(async () => {
    dir = tempDir(prefix);
    server = await start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    for (const page of pages) await page.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });
  return {
    get browser() {
      return browser!;
    },
    get server() {
      return server!;
    },
    get dir() {
      return dir;
    },
    keep,
    open: async (imagePath, settings, viewport, options) => {
      const page = keep(await openInHarness(browser!, server!, imagePath, settings, viewport, options));
      opened.push(page);
      return page;
    },
    opened,
  };
}

/** Waits until the webview says it has drawn the image it was sent (body[data-ready]). */
export async function waitReady(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout });
}

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

const NONCE = 'harnessNonce0123456789';
/** Inits to embed in a page like the extension does, by the token in the page's ?embed= query. */
const embeddedInits = new Map<string, string>();
/** String tables to embed like the extension does (webviewHtml's strings block), by the page's ?l10n= token. */
const stringTables = new Map<string, StringTable>();

/** Serves the editor's harness page (inits and string tables embedded by its query) and the built bundles on 127.0.0.1. */
export function startHarnessServer(): Promise<HarnessServer> {
  return serveHarness((url, origin) => {
    const token = url.searchParams.get('embed');
    const strings = url.searchParams.get('l10n');
    const init = token ? embeddedInits.get(token) : undefined;
    const blocks = `${stringsBlock(strings ? stringTables.get(strings) : undefined)}${init === undefined ? '' : `<script type="application/json" id="${EMBEDDED_INIT_ID}">${init}</script>`}`;
    return harnessPage(origin, 'webview', blocks);
  });
}

/** Serves `page(url, origin)` for `/` and the built bundles (dist/webview.*, dist/compare.*) on 127.0.0.1. */
export async function serveHarness(page: (url: URL, origin: string) => string): Promise<HarnessServer> {
  const files: Record<string, string> = {
    '/webview.js': 'text/javascript',
    '/webview.css': 'text/css',
    '/compare.js': 'text/javascript',
    '/compare.css': 'text/css',
  };
  const server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(url, origin));
      return;
    }
    const type = files[url.pathname];
    if (!type) {
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': type });
    res.end(fs.readFileSync(path.join(root, 'dist', url.pathname.slice(1))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A harness page for `bundle` (dist/<bundle>.js and .css): the extension's CSP
 * (src/host/webviewHtml.ts) with the server as cspSource, the stub VS Code API as the
 * page's one inline script (allowed by the nonce, as in VS Code's own wrapper), then
 * `blocks` (data blocks the extension embeds) and the bundle. The stub sends each
 * message to the test's `__diskxHost` and delivers its replies with `__deliver`
 * (JSON carries bytes as number arrays: they become Uint8Arrays again); the state is
 * kept in sessionStorage, so it survives a reload as VS Code's does, and mirrored in
 * `__diskxState` for the tests to read.
 */
export function harnessPage(origin: string, bundle: 'webview' | 'compare', blocks = ''): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(origin, NONCE)}">
<link rel="stylesheet" href="/${bundle}.css" nonce="${NONCE}">
<title>diskx ${bundle} harness</title></head>
<body>
<script nonce="${NONCE}">
window.__diskxCopied = [];
window.__deliver = function (reply) {
  if (reply.type === 'bytes') reply.data = new Uint8Array(reply.data);
  if ((reply.type === 'init' || reply.type === 'update') && reply.head) reply.head = new Uint8Array(reply.head);
  window.postMessage(reply, '*');
};
window.acquireVsCodeApi = function () {
  return {
    postMessage: function (message) {
      window.__diskxHost(message).then(function (replies) { replies.forEach(window.__deliver); });
    },
    getState: function () { var s = sessionStorage.getItem('diskxState'); return s ? JSON.parse(s) : undefined; },
    setState: function (state) { window.__diskxState = state; sessionStorage.setItem('diskxState', JSON.stringify(state)); },
  };
};
</script>
${blocks}
<script nonce="${NONCE}" src="/${bundle}.js"></script>
</body></html>`;
}

export interface OpenedPage {
  page: Page;
  session: DiskImageSession;
  /** Messages the webview sent, in order. */
  sent: unknown[];
  /** Console errors, page errors and CSP violations seen. */
  problems: string[];
  /** Edits the webview made (applyFix), in order: what VS Code would put on its undo stack. */
  edits: ImageEdit[];
  close(): Promise<void>;
}

/** How openInHarness builds the page: the first init embedded in its HTML, a string table (a display language). */
export interface HarnessOptions {
  embedInit?: boolean;
  strings?: StringTable;
}

/** Opens `imagePath` in a new page: the webview talks to a real DiskImageSession. */
export async function openInHarness(
  browser: Browser,
  server: HarnessServer,
  imagePath: string,
  settings: ViewSettings = { bytesPerRow: 16 },
  viewport = { width: 1400, height: 900 },
  options: HarnessOptions = {},
): Promise<OpenedPage> {
  const session = await DiskImageSession.open(imagePath);
  let embedToken: string | null = null;
  if (options.embedInit) {
    // As the extension does it: the first init in the page's HTML (webviewHtml + encodeEmbeddedInit).
    embedToken = String(embeddedInits.size + 1);
    embeddedInits.set(
      embedToken,
      encodeEmbeddedInit(await session.initMessage(settings), (bytes) => Buffer.from(bytes).toString('base64')),
    );
  }
  let stringsToken: string | null = null;
  if (options.strings) {
    stringsToken = String(stringTables.size + 1);
    stringTables.set(stringsToken, options.strings);
  }
  const page = await browser.newPage({ viewport });
  const sent: unknown[] = [];
  const problems: string[] = [];
  const edits: ImageEdit[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.exposeFunction('__diskxHost', async (message: unknown) => {
    sent.push(message);
    const effect = await session.handle(message, settings);
    if (effect.kind === 'reply') {
      const reply = effect.message;
      // exposeFunction passes JSON: bytes travel as number arrays and the page stub turns them back.
      if (reply.type === 'bytes') return [{ ...reply, data: Array.from(reply.data) }];
      if (reply.type === 'init') return [{ ...reply, head: Array.from(reply.head) }];
      return [reply];
    }
    if (effect.kind === 'find') return [await effect.run(new AbortController().signal, () => undefined)];
    if (effect.kind === 'copy') await page.evaluate(`window.__diskxCopied.push(${JSON.stringify(effect.text)})`);
    if (effect.kind === 'edit') {
      // What the extension does after an edit: every view gets the re-read model.
      edits.push(effect.edit);
      const update = await session.updateMessage(`Applied: ${effect.edit.plan.title}`);
      return [update.type === 'update' ? { ...update, head: Array.from(update.head) } : update];
    }
    return [];
  });
  const query = new URLSearchParams({ ...(embedToken ? { embed: embedToken } : {}), ...(stringsToken ? { l10n: stringsToken } : {}) }).toString();
  await page.goto(query ? `${server.url}?${query}` : server.url);
  return {
    page,
    session,
    sent,
    problems,
    edits,
    close: async () => {
      await page.close();
      await session.close();
    },
  };
}
