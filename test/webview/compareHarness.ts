// The comparison webview (dist/compare.js) in a page with the extension's CSP and
// a stub host answered by a real CompareSession, the way the panel drives it
// (every confirmation answered "yes"). Shared by the comparison's browser tests.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { CompareSession } from '../../src/app/compareSession';
import { contentSecurityPolicy } from '../../src/host/webviewHtml';
import type { CompareSettings, ToCompareWebview } from '../../src/shared/protocol/compare';
import { CHROMIUM } from './harness';

const root = path.resolve(__dirname, '..', '..');
/** Why the comparison's browser tests cannot run here, or null. */
export const compareUnavailable = !fs.existsSync(CHROMIUM)
  ? `${CHROMIUM} not found`
  : !fs.existsSync(path.join(root, 'dist', 'compare.js'))
    ? 'dist/compare.js not built (run node esbuild.mjs)'
    : null;

const NONCE = 'compareNonce0123456789';

// The page's one inline script is the stub API (allowed by the nonce, like VS Code's own wrapper).
function pageHtml(origin: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(origin, NONCE)}">
<link rel="stylesheet" href="/compare.css" nonce="${NONCE}">
<title>diskx compare harness</title></head>
<body>
<script nonce="${NONCE}">
window.__deliver = function (reply) {
  if (reply.type === 'bytes') reply.data = new Uint8Array(reply.data);
  window.postMessage(reply, '*');
};
window.acquireVsCodeApi = function () {
  return {
    postMessage: function (message) {
      window.__diskxHost(message).then(function (replies) { replies.forEach(window.__deliver); });
    },
    // Like VS Code's webview state: kept for the page (here across reloads of the tab).
    getState: function () { var s = sessionStorage.getItem('diskxState'); return s ? JSON.parse(s) : undefined; },
    setState: function (state) { window.__diskxState = state; sessionStorage.setItem('diskxState', JSON.stringify(state)); },
  };
};
</script>
<script nonce="${NONCE}" src="/compare.js"></script>
</body></html>`;
}

export async function startServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(`http://${req.headers.host}`));
      return;
    }
    const types: Record<string, string> = { '/compare.js': 'text/javascript', '/compare.css': 'text/css' };
    const type = types[url.pathname];
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

export interface Opened {
  page: Page;
  problems: string[];
  sent: { type: string }[];
  session(): CompareSession;
  close(): Promise<void>;
}

export function wire(reply: ToCompareWebview): unknown {
  return reply.type === 'bytes' ? { ...reply, data: Array.from(reply.data) } : reply;
}

/** A page whose stub host does what the panel does, with every confirmation answered "yes". */
export async function openCompare(
  browser: Browser,
  url: string,
  a: string,
  b: string,
  journalDir: string,
  viewport = { width: 1500, height: 950 },
  settings: CompareSettings = { bytesPerRow: 16 },
): Promise<Opened> {
  let session = await CompareSession.open(a, b, { journalDir });
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  const sent: { type: string }[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  const push = (message: ToCompareWebview): Promise<void> =>
    page.evaluate((m) => (globalThis as unknown as { __deliver(m: unknown): void }).__deliver(m), wire(message) as never);
  await page.exposeFunction('__diskxHost', async (message: { type: string }) => {
    sent.push(message);
    const effect = await session.handle(message, settings);
    switch (effect.kind) {
      case 'reply':
        return [wire(effect.message)];
      case 'scan':
        void (async () => {
          await push({ type: 'scanState', state: 'running', summary: null, message: null });
          const summary = await session.scan(undefined, (done, total) => void push({ type: 'scanProgress', done, total }).catch(() => undefined));
          await push({ type: 'scanState', state: 'done', summary, message: null });
        })();
        return [];
      case 'applyFix': {
        await session.applyFix(effect.plan);
        const next = await session.reopen();
        await session.close();
        session = next;
        session.notice = 'Wrote the fix (harness).';
        return [session.initMessage(settings)];
      }
      case 'refresh':
      case 'swap': {
        const next = await session.reopen(effect.kind === 'swap');
        await session.close();
        session = next;
        return [session.initMessage(settings)];
      }
      case 'cancelScan':
      case 'none':
        return [];
    }
  });
  await page.goto(url);
  return {
    page,
    problems,
    sent,
    session: () => session,
    close: async () => {
      await page.close();
      await session.close();
    },
  };
}

export async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
}
