// The editor webview in the user's language: with the Japanese bundle embedded
// the way the extension embeds it (webviewHtml's strings block), the panes'
// words are Japanese; with none they are English. The real bundle file is used,
// so a string routed through t() but left untranslated shows up here too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { tempDir, writeEsxi5Image } from '../builders/images';
import { CHROMIUM, CHROMIUM_ARGS, browserUnavailable, openInHarness, startHarnessServer } from './harness';
import type { HarnessServer } from './harness';
import type { StringTable } from '../../src/shared/l10n';

const root = path.resolve(__dirname, '..', '..');
const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('browser tests need chromium in CI', () => assert.fail(`cannot run the webview browser tests: ${unavailable}`));
const skip = unavailable ? `skipped: ${unavailable}` : false;
const japanese = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as StringTable;

describe('editor webview in Japanese', { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let image: string;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    server = await startHarnessServer();
    image = writeEsxi5Image(path.join(tempDir('diskx-l10n-'), 'esxi5-compacted.img'), { compacted: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the pane titles come from the embedded Japanese strings; without them they are English', async () => {
    const ja = await openInHarness(browser, server, image, undefined, undefined, { strings: japanese });
    const en = await openInHarness(browser, server, image);
    try {
      for (const opened of [ja, en]) await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      const titles = async (opened: typeof ja): Promise<string[]> => opened.page.locator('#side .section-title').allTextContents();
      assert.deepEqual(await titles(ja), ['検査結果', '構造']);
      assert.deepEqual(await titles(en), ['Findings', 'Structure']);
      // The edit bar's checkbox and the inspector's cursor line.
      assert.equal((await ja.page.locator('#edit-dependents-label').innerText()).trim(), 'CRC とバックアップを連動して更新');
      assert.equal((await en.page.locator('#edit-dependents-label').innerText()).trim(), 'Keep CRCs and backup in step');
      assert.match((await ja.page.locator('#selection-info').textContent()) ?? '', /^カーソル 0x0\b/);
      assert.match((await en.page.locator('#selection-info').textContent()) ?? '', /^Cursor 0x0\b/);
      // The data block is read and removed before the panes are built.
      assert.equal(await ja.page.locator('#diskx-l10n').count(), 0);
      assert.deepEqual(ja.problems, []);
    } finally {
      await ja.close();
      await en.close();
    }
  });
});
