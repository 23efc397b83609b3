// A stand-in for VS Code around the built webview (dist/webview.js): a local
// HTTP server serves a page with the same strict CSP the extension uses and a
// stub `acquireVsCodeApi` whose postMessage reaches this Node process through
// Playwright's exposeFunction. Here the real DiskImageSession (the object the
// extension host uses) answers, so the webview sees real models and bytes.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { DiskImageSession } from '../../src/app/diskImageSession';
import { contentSecurityPolicy, stringsBlock } from '../../src/host/webviewHtml';
import type { StringTable } from '../../src/shared/l10n';
import type { ViewSettings } from '../../src/shared/protocol/editor';
import { EMBEDDED_INIT_ID, encodeEmbeddedInit } from '../../src/shared/protocol/editor';
import type { ImageEdit } from '../../src/app/editStack';

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

/** Why the browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} not found (Debian: apt-get install chromium)`;
  if (!fs.existsSync(path.join(root, 'dist', 'webview.js'))) return 'dist/webview.js not built (run node esbuild.mjs)';
  return null;
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

/** Serves the harness page and the built webview bundle on 127.0.0.1. */
export async function startHarnessServer(): Promise<HarnessServer> {
  const server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const token = url.searchParams.get('embed');
      const strings = url.searchParams.get('l10n');
      res.end(harnessHtml(origin, token ? embeddedInits.get(token) : undefined, strings ? stringTables.get(strings) : undefined));
      return;
    }
    const files: Record<string, string> = { '/webview.js': 'text/javascript', '/webview.css': 'text/css' };
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

// Same CSP as the extension (src/host/webviewHtml.ts) with the server as cspSource.
// The stub is the page's one inline script, allowed by the nonce like in VS Code's own wrapper.
function harnessHtml(origin: string, embeddedInit?: string, strings?: StringTable): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(origin, NONCE)}">
<link rel="stylesheet" href="/webview.css" nonce="${NONCE}">
<title>diskx webview harness</title></head>
<body>
<script nonce="${NONCE}">
window.__diskxCopied = [];
window.acquireVsCodeApi = function () {
  return {
    postMessage: function (message) {
      window.__diskxHost(message).then(function (replies) {
        for (const reply of replies) {
          if (reply.type === 'bytes') reply.data = new Uint8Array(reply.data);
          if (reply.type === 'init' || reply.type === 'update') reply.head = new Uint8Array(reply.head);
          window.postMessage(reply, '*');
        }
      });
    },
    // Like VS Code's webview state: kept for the page (here across reloads of the tab).
    getState: function () { var s = sessionStorage.getItem('diskxState'); return s ? JSON.parse(s) : undefined; },
    setState: function (state) { sessionStorage.setItem('diskxState', JSON.stringify(state)); },
  };
};
</script>
${stringsBlock(strings)}${embeddedInit === undefined ? '' : `<script type="application/json" id="${EMBEDDED_INIT_ID}">${embeddedInit}</script>`}
<script nonce="${NONCE}" src="/webview.js"></script>
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

/** Opens `imagePath` in a new page: the webview talks to a real DiskImageSession. */
export async function openInHarness(
  browser: Browser,
  server: HarnessServer,
  imagePath: string,
  settings: ViewSettings = { bytesPerRow: 16 },
  viewport = { width: 1400, height: 900 },
  options: { embedInit?: boolean; strings?: StringTable } = {},
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
