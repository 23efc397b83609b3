// The comparison webview (dist/compare.js) in the harness page (harness.ts: the
// extension's CSP, the stub VS Code API) with a stub host answered by a real
// CompareSession, the way the panel drives it (every confirmation answered "yes").
// Shared by the comparison's browser tests.
import type { Browser, Page } from 'playwright-core';
import { CompareSession } from '../../src/app/compareSession';
import type { CompareSettings, ToCompareWebview } from '../../src/shared/protocol/compare';
import { browserSuite, browserUnavailable, harnessPage, serveHarness, waitReady as waitDrawn } from './harness';
import type { HarnessServer } from './harness';

/** Why the comparison's browser tests cannot run here, or null. */
export const compareUnavailable = browserUnavailable('compare');

/** Serves the comparison's harness page and the built bundles on 127.0.0.1. */
export function startServer(): Promise<HarnessServer> {
  return serveHarness((_url, origin) => harnessPage(origin, 'compare'));
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

/** Waits until the comparison says it has drawn both images (it gets longer than the editor: two parses). */
export function waitReady(page: Page): Promise<void> {
  return waitDrawn(page, 20_000);
}

export interface CompareSuite {
  /** The suite's temp folder (made by its before()). */
  readonly dir: string;
  /** A comparison page of `a` and `b` (journals in `journalDir`, else the temp folder), closed after the suite. */
  open(a: string, b: string, options?: { viewport?: { width: number; height: number }; settings?: CompareSettings; journalDir?: string }): Promise<Opened>;
}

/** A browser suite (harness.ts browserSuite) on the comparison's harness page. */
export function compareSuite(prefix: string): CompareSuite {
  const suite = browserSuite(prefix, startServer);
  return {
    get dir() {
      return suite.dir;
    },
    open: async (a, b, options = {}) =>
      suite.keep(await openCompare(suite.browser, suite.server.url, a, b, options.journalDir ?? suite.dir, options.viewport, options.settings)),
  };
}
