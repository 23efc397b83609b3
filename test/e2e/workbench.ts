// Drives a real VS Code workbench (code-server, installed on demand by
// scripts/codeServer.mjs) in Debian's headless Chromium through playwright-core.
// Shared by the end-to-end test and bench/editor.bench.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { startCodeServer } from '../../scripts/codeServer.mjs';
import type { RunningCodeServer } from '../../scripts/codeServer.mjs';
import { screenshotPath } from '../builders/screenshots';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const CHROMIUM = process.env.DISKX_CHROMIUM ?? '/usr/bin/chromium';

export interface Workbench {
  server: RunningCodeServer;
  browser: Browser;
  page: Page;
  /** Console lines and page errors seen so far (for failure messages). */
  console: string[];
  close(): Promise<void>;
}

const tempParents: string[] = [];
process.on('exit', () => {
  for (const dir of tempParents) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh temporary folder to open as the workspace, always named `disk-images`
 * (the Explorer and the window title show it: screenshots stay the same run to run).
 */
export function tempWorkspace(prefix = 'diskx-e2e-'): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempParents.push(parent);
  const folder = path.join(parent, 'disk-images');
  fs.mkdirSync(folder);
  return folder;
}

/** Starts code-server on `folder`, opens it in headless Chromium and waits for the workbench. */
export async function openWorkbench(
  folder: string,
  options: {
    viewport?: { width: number; height: number };
    extraExtensions?: string[];
    settings?: Record<string, unknown>;
    locale?: string;
    /** Language pack folders, installed as .vsix (see scripts/codeServerLanguagePacks.mjs). */
    languagePacks?: string[];
  } = {},
): Promise<Workbench> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set DISKX_CHROMIUM)`);
  const server = await startCodeServer({
    folder,
    extraExtensions: options.extraExtensions ?? [],
    settings: options.settings ?? {},
    ...(options.locale ? { locale: options.locale } : {}),
    languagePacks: options.languagePacks ?? [],
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    });
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const lines: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') lines.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => lines.push(`pageerror: ${error.message}`));
    await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 90_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    // The Explorer lists the folder once the file service is up.
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    // Our contributions appear once the remote extension host has started (5 to 10 s).
    await waitForCommand(page, 'Disk Structure Explorer', 90_000);
    const opened = browser;
    workspaceOf.set(page, folder);
    return {
      server,
      browser: opened,
      page,
      console: lines,
      async close() {
        await opened.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    const logs = server.logs();
    await server.stop();
    if (error instanceof Error && logs) error.message += `\n--- code-server output ---\n${logs.slice(-4000)}`;
    throw error;
  }
}

/** The workspace folder each page opened (openFromExplorer compares the Explorer with it). */
const workspaceOf = new WeakMap<Page, string>();

/** Names VS Code's default `files.exclude` hides from the Explorer. */
const EXCLUDED = new Set(['.git', '.svn', '.hg', 'CVS', '.DS_Store', 'Thumbs.db']);

/** The Explorer row showing exactly `fileName` (not `fileName.diskx-journal`). */
export function explorerRow(page: Page, fileName: string) {
  const exact = new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page
    .locator(`.explorer-folders-view .monaco-list-row[aria-label="${fileName}"]`)
    .or(page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }))
    .first();
}

/**
 * Waits until the Explorer's top-level rows are the workspace folder's entries on disk. A file that appeared
 * since (the undo journal a save writes next to the image, say) makes the Explorer re-render its rows when the
 * file watcher reports it, and the list then reuses row elements for other files: a click aimed at one row
 * while that happens lands on another (seen in CI: the double-click meant for the second image opened the
 * first one again). Once the Explorer lists what is on disk, no such re-render is pending.
 */
export async function explorerInSync(page: Page, timeoutMs = 30_000): Promise<void> {
  const folder = workspaceOf.get(page);
  if (!folder) return;
  const deadline = Date.now() + timeoutMs;
  let listed: string[] = [];
  for (;;) {
    const onDisk = fs
      .readdirSync(folder)
      .filter((name) => !EXCLUDED.has(name))
      .sort();
    listed = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> } }).document;
      return [...doc.querySelectorAll('.explorer-folders-view .monaco-list-row[aria-level="1"]')].map((row) => row.getAttribute('aria-label') ?? '');
    });
    if (listed.slice().sort().join('\n') === onDisk.join('\n')) return;
    if (Date.now() > deadline) throw new Error(`the Explorer lists ${JSON.stringify(listed)}, the folder holds ${JSON.stringify(onDisk)}`);
    await page.waitForTimeout(100);
  }
}

/**
 * Double-clicks `fileName` in the Explorer, the way a person opens it for good (not in preview), once the
 * Explorer shows what is on disk; checks that the double-click reached that row (a capture-phase listener
 * records the row under the pointer when the browser fires the event).
 */
export async function openFromExplorer(page: Page, fileName: string): Promise<void> {
  await explorerInSync(page);
  const row = explorerRow(page, fileName);
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await page.evaluate(`(() => {
    const g = globalThis;
    g.__diskxDoubleClicked = null;
    if (g.__diskxDoubleClickWatch) return;
    g.__diskxDoubleClickWatch = true;
    g.document.addEventListener('dblclick', (event) => {
      const hit = event.target && event.target.closest ? event.target.closest('.explorer-folders-view .monaco-list-row') : null;
      g.__diskxDoubleClicked = hit ? hit.getAttribute('aria-label') : '(no Explorer row)';
    }, true);
  })()`);
  await row.dblclick();
  const reached = await page.waitForFunction(() => (globalThis as unknown as { __diskxDoubleClicked: string | null }).__diskxDoubleClicked, undefined, {
    timeout: 10_000,
  });
  const name = await reached.jsonValue();
  if (name !== fileName) throw new Error(`the double-click meant for ${fileName} in the Explorer reached ${name}`);
}

/**
 * Opens `file` (an absolute path) the way the command palette does it: "Disk Structure Explorer: Open Disk
 * Image...", "Enter a path", the path typed, Enter. No Explorer row to aim at; waits for the image's tab.
 */
export async function openImageByPath(page: Page, file: string): Promise<void> {
  await runCommand(page, 'Disk Structure Explorer: Open Disk Image');
  const widget = page.locator('.quick-input-widget');
  const choice = widget.locator('.monaco-list-row', { hasText: 'Enter a path' }).first();
  await choice.waitFor({ state: 'visible', timeout: 10_000 });
  await widget.locator('input').fill('Enter a path');
  await widget.locator('.monaco-list-row.focused', { hasText: 'Enter a path' }).waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
  // The same widget then asks for the path (its placeholder is /dev/sdb).
  const pathInput = widget.locator('input[placeholder="/dev/sdb"]');
  await pathInput.waitFor({ state: 'visible', timeout: 10_000 });
  await pathInput.fill(file);
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(file) }).waitFor({ state: 'visible', timeout: 30_000 });
}

/** Finds the (nested) webview frame that holds `selector`, polling until `timeoutMs`. */
export async function findFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const found = await frame.$(selector).catch(() => null);
      if (found) return frame;
    }
    if (Date.now() > deadline)
      throw new Error(
        `no frame holds ${selector} after ${timeoutMs / 1000} s (frames: ${page
          .frames()
          .map((f) => f.url().slice(0, 80))
          .join(', ')})`,
      );
    await page.waitForTimeout(100);
  }
}

/** Waits until the editor's webview says it has painted its tree and first hex rows. */
export async function waitForEditorReady(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const frame = await findFrame(page, 'body[data-ready="true"]', timeoutMs);
  return frame;
}

/** Waits until the command palette lists a command whose title contains `title`. */
export async function waitForCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input');
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const found = await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: title })
      .first()
      .waitFor({ state: 'visible', timeout: 2_000 })
      .then(
        () => true,
        () => false,
      );
    await page.keyboard.press('Escape');
    if (found) return;
    if (Date.now() > deadline) throw new Error(`the command palette never listed "${title}" (is the extension installed and loading?)`);
    await page.waitForTimeout(500);
  }
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  const item = widget.locator('.monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    // A palette still closing from the last command would swallow F1 or the typing.
    await widget.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => page.keyboard.press('Escape'));
    await page.keyboard.press('F1');
    const shown = await input
      .waitFor({ state: 'visible', timeout: 10_000 })
      .then(async () => {
        await input.fill(`>${title}`);
        await item.waitFor({ state: 'visible', timeout: 10_000 });
        return true;
      })
      .catch(() => false);
    if (shown) break;
    if (attempt >= 3) throw new Error(`the command palette never listed "${title}"`);
    await page.keyboard.press('Escape');
  }
  await page.keyboard.press('Enter');
}

/**
 * "View: Close All Editors", then waits until no tab and no webview is left: editors kept alive while hidden
 * keep their webview frames in the page, and the next editor's frame must be the only one findFrame can find.
 */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await page.waitForFunction(
    () => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document;
      return doc.querySelectorAll('.tabs-container .tab').length === 0 && doc.querySelectorAll('iframe.webview').length === 0;
    },
    undefined,
    { timeout: 30_000 },
  );
}

/** Clicks an item of an open context menu; a menu ignores a click too soon after it opened, so click until it closes. */
export async function clickMenuItem(page: Page, item: Locator): Promise<void> {
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await page.waitForTimeout(300);
  for (let attempt = 1; (await item.isVisible()) && attempt <= 5; attempt++) {
    await item.click().catch(() => undefined);
    await page.waitForTimeout(500);
  }
}

/** Opens the Problems panel and returns its rows' text once one matches `expected`. */
export async function problemsText(page: Page, expected: RegExp, timeoutMs = 30_000): Promise<string> {
  await runCommand(page, 'View: Focus Problems');
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ state: 'visible', timeout: 10_000 });
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await panel.locator('.monaco-list-row').allInnerTexts()).join('\n');
    if (expected.test(text)) return text;
    await page.waitForTimeout(250);
  }
  throw new Error(`the Problems panel never showed ${expected}; it shows:\n${text}`);
}

/** Saves a screenshot of the whole workbench as NAME.png (in docs/screenshots/ with DISKX_UPDATE_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = screenshotPath(`${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
